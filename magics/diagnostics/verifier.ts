/**
 * A verifier rejection as the user sees it: which function, the instruction
 * it failed on, the log's last lines, and a hint for the common causes. The
 * whole log stays reachable on the error (CellError.log).
 */
import { CellError } from "../../kernel/plugin.js";
import { ansi } from "./ansi.js";

const HINTS: [RegExp, string][] = [
  [/invalid mem access '(scalar|inv)'/, "a pointer is read without a NULL check, or kernel memory is dereferenced directly: check the pointer is not NULL first, and read kernel memory with bpf_probe_read_kernel()"],
  [/invalid mem access 'map_value_or_null'/, "the map lookup's result is used without a NULL check: `if (!p) return 0;` before using it"],
  [/unbounded memory access|invalid access to map value|value is outside of the allowed memory range|min value is negative/, "an index into a map value or array is not bounded: check it against the size (`if (i >= N) return 0;`) so the verifier can prove the access is in range"],
  [/back-edge|unbounded loop|infinite loop|loop is not bounded|BPF program is too large/, "a loop the verifier cannot bound: give it a constant upper bound (`for (int i = 0; i < 16; i++)`), or use #pragma unroll"],
  [/last insn is not an exit or jmp|call to invalid destination/, "the program calls a function that is neither a BPF helper nor defined in the block (see clang's 'implicit declaration' warning): define it above as `static inline`, or use the helper's right name"],
  [/R0 !read_ok/, "the function does not return a value on every path: end it with `return 0;`"],
  [/cannot call GPL-restricted function|GPL-incompatible/, "this helper needs a GPL-compatible license: BCC defaults to GPL; check no LICENSE/_license section overrides it"],
  [/invalid indirect read from stack|invalid read from stack/, "a stack buffer is passed to a helper before all its bytes are set: initialise it (`struct data_t d = {};` or __builtin_memset)"],
  [/R\d+ type=ctx expected=|invalid bpf_context access/, "the context (ctx/args) is read at an offset or size this program type does not allow: use the tracepoint's args fields or bpf_probe_read"],
  [/unknown func|program of this type cannot use helper/, "this helper is not available to this program type on this kernel"],
  [/combined stack size|stack limit|invalid stack off/, "the BPF stack is 512 bytes: move large buffers into a per-CPU array map"],
  [/pointer arithmetic on .* prohibited|math between .* pointer/, "arithmetic on this pointer kind is not allowed: copy the data out with bpf_probe_read_kernel first"],
  [/reference leak|Unreleased reference/, "a reserved ring buffer record or acquired reference is not released on every path: submit or discard it"],
];

export function verifierHint(log: string): string | undefined {
  for (const [re, hint] of HINTS) if (re.test(log)) return hint;
  return undefined;
}

export interface VerifierSummary {
  /** The instruction the verifier stopped at, e.g. "12: (61) r1 = *(u32 *)(r2 +0)". */
  instruction?: string;
  /** The error line (the log's verdict). */
  reason?: string;
  tail: string[];
  hint?: string;
}

const INSN = /^\d+: \([0-9a-f]{2}\)/;

export function summarizeVerifierLog(log: string, tailLines = 20): VerifierSummary {
  const lines = log.split("\n").map((l) => l.trimEnd());
  while (lines.length && lines[lines.length - 1] === "") lines.pop();
  // The verdict sits just before the "processed N insns" statistics, if present.
  let end = lines.length;
  const stats = lines.findIndex((l) => /^processed \d+ insns/.test(l));
  if (stats >= 0) end = stats;
  let reasonIdx = end - 1;
  while (reasonIdx >= 0 && (lines[reasonIdx] === "" || /^verification time|^stack depth/.test(lines[reasonIdx]))) reasonIdx--;
  const reason = reasonIdx >= 0 ? lines[reasonIdx] : undefined;
  let instruction: string | undefined;
  for (let i = reasonIdx; i >= 0; i--) {
    const m = INSN.exec(lines[i]);
    if (m) {
      instruction = lines[i].replace(/\s*;.*$/, "");
      break;
    }
  }
  return { instruction, reason, tail: lines.slice(Math.max(0, lines.length - tailLines)), hint: verifierHint(log) };
}

/** libbcc may fetch the log twice (a retry at a higher level): keep one copy. */
export function dedupeLog(log: string): string {
  const t = log.trimEnd();
  const half = Math.floor(t.length / 2);
  for (const cut of [half, half + 1]) {
    const a = t.slice(0, cut).trimEnd();
    const b = t.slice(cut).trimStart();
    if (a.length > 0 && a === b) return a + "\n";
  }
  return log;
}

export interface LineMapping {
  /** The body's lines as the user wrote them. */
  body: string;
  /** Cell line of the block's header. */
  headerLine: number;
  /** Body line where the rejected function is defined, if known. */
  functionLine?: number;
}

/**
 * The log's source notes (`; text @ main.c:N`) quote libbcc's rewritten text,
 * which is not the user's; N itself counts the user's lines (the #line
 * directives ibcc adds keep it so), except for the function's own first note.
 * Rewritten as `; <the user's line> @ cell line M`.
 */
export function mapSourceNotes(log: string, m: LineMapping): string {
  const lines = m.body.split("\n");
  let first = true;
  return log.replace(/^; .*? @ main\.c:(\d+)$/gm, (whole, n: string) => {
    let line = Number(n);
    if (first && m.functionLine !== undefined) line = m.functionLine;
    first = false;
    if (line < 1 || line > lines.length) return ";";
    return `; ${lines[line - 1].trim()} @ cell line ${m.headerLine + line}`;
  });
}

export class VerifierCellError extends CellError {
  constructor(
    readonly functionName: string,
    readonly log: string,
    summary: VerifierSummary,
  ) {
    const evalue = `the verifier rejected ${functionName}: ${summary.reason ?? "see the log"}`;
    const tb = [
      ansi.boldRed("VerifierError") + `: the kernel's verifier rejected ${ansi.bold(functionName)}()`,
      ...(summary.instruction ? [`failing instruction: ${summary.instruction}`] : []),
      ...(summary.reason ? [`reason: ${ansi.red(summary.reason)}`] : []),
      ...(summary.hint ? [ansi.green("hint: ") + summary.hint] : []),
      ansi.dim(`-- last ${summary.tail.length} lines of the verifier log --`),
      ...summary.tail,
    ];
    super("VerifierError", evalue, tb);
  }
}

export function verifierFailure(functionName: string, log: string, mapping?: LineMapping): VerifierCellError {
  const one = dedupeLog(log);
  const shown = mapping ? mapSourceNotes(one, mapping) : one;
  return new VerifierCellError(functionName, log, summarizeVerifierLog(shown));
}
