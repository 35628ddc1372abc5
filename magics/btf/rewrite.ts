/**
 * The BTF field-read forms of a `%%bpf` block, expanded before compiling to
 * reads at the offsets the running kernel's BTF gives, so that they are right
 * even when the installed kernel headers are not the running kernel's:
 *
 *   BTF_READ(ptr, STRUCT, PATH)        the field's value (integer or pointer,
 *                                      1-8 bytes, typed __u8..__u64 / __s8..__s64)
 *   BTF_READ_INTO(dst, ptr, STRUCT, PATH)
 *                                      copies the field (an array, a struct)
 *                                      into dst, at most sizeof(dst) bytes;
 *                                      evaluates to bpf_probe_read_kernel's result
 *   BTF_OFFSET(STRUCT, PATH)           the field's byte offset, a constant
 *   BTF_SIZE(STRUCT, PATH)             the field's byte size, a constant
 *
 * STRUCT is a struct or union name (`task_struct` or `struct task_struct`);
 * PATH is `field`, `a.b` (nested), `a->b` (through a pointer: one more read),
 * `a[3]`. Example: `u32 tgid = BTF_READ(bpf_get_current_task(), task_struct, tgid);`
 *
 * Expansions stay on the line where the form starts and keep the text's line
 * count, so compile diagnostics keep their line numbers.
 */
import { Btf } from "./parse.js";
import { BtfFieldError, resolveField, ResolvedField } from "./resolve.js";
import { blankCommentsAndStrings, closeParen, lineOf } from "../spec/source.js";

export const BTF_FORMS = ["BTF_READ", "BTF_READ_INTO", "BTF_OFFSET", "BTF_SIZE"] as const;

export class BtfRewriteError extends Error {
  override name = "BtfRewriteError";
  constructor(
    message: string,
    /** 1-based line and column in the block's body. */
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

/** Splits macro arguments at top-level commas. */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const c of s) {
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    if (c === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

function scalarType(f: ResolvedField): string {
  return `__${f.signed && f.kind !== "ptr" ? "s" : "u"}${f.size * 8}`;
}

/** Statements that leave the final base address in `${v}_b`. */
function chain(f: ResolvedField, ptr: string, v: string): string {
  let s = `__u64 ${v}_b = (__u64)(${ptr});`;
  for (const hop of f.derefs) s += ` bpf_probe_read_kernel(&${v}_b, 8, (void *)(${v}_b + ${hop.offset}));`;
  return s;
}

function expand(btf: Btf, form: string, args: string[], n: number): string {
  const want = form === "BTF_READ" ? 3 : form === "BTF_READ_INTO" ? 4 : 2;
  if (args.length !== want) throw new BtfFieldError(`${form} takes ${want} arguments, got ${args.length}`);
  const v = `__btf${n}`;
  switch (form) {
    case "BTF_READ": {
      const [ptr, st, path] = args;
      const f = resolveField(btf, st, path);
      if (![1, 2, 4, 8].includes(f.size) || !["int", "ptr", "enum"].includes(f.kind))
        throw new BtfFieldError(`${st}.${path} is a ${f.size}-byte ${f.kind}: BTF_READ reads integers and pointers; use BTF_READ_INTO(dst, ptr, ${st}, ${path})`);
      const t = scalarType(f);
      return `({ ${chain(f, ptr, v)} ${t} ${v} = 0; bpf_probe_read_kernel(&${v}, ${f.size}, (void *)(${v}_b + ${f.offset})); ${v}; })`;
    }
    case "BTF_READ_INTO": {
      const [dst, ptr, st, path] = args;
      const f = resolveField(btf, st, path);
      return `({ ${chain(f, ptr, v)} bpf_probe_read_kernel(&(${dst}), sizeof(${dst}) < ${f.size} ? sizeof(${dst}) : ${f.size}, (void *)(${v}_b + ${f.offset})); })`;
    }
    case "BTF_OFFSET":
    case "BTF_SIZE": {
      const [st, path] = args;
      const f = resolveField(btf, st, path);
      if (form === "BTF_OFFSET" && f.derefs.length) throw new BtfFieldError(`BTF_OFFSET(${st}, ${path}) goes through a pointer; an offset needs a path without '->'`);
      return String(form === "BTF_OFFSET" ? f.offset : f.size);
    }
  }
  throw new BtfFieldError(`unknown form ${form}`);
}

/**
 * Whether the text uses any BTF form (so BTF is parsed only when needed).
 * `code` is the text with comments and strings blanked, when the caller has it.
 */
export function usesBtf(text: string, code = blankCommentsAndStrings(text)): boolean {
  return /\bBTF_(READ|READ_INTO|OFFSET|SIZE)\s*\(/.test(code);
}

export function rewriteBtf(text: string, btf: () => Btf): string {
  return expandBtf(text, blankCommentsAndStrings(text), btf).text;
}

/**
 * rewriteBtf, given the blanked text, and with where an offset of the text
 * (outside any form) moved to in the result.
 */
export function expandBtf(text: string, scan: string, btf: () => Btf): { text: string; moved(offset: number): number } {
  const re = /\b(BTF_READ_INTO|BTF_READ|BTF_OFFSET|BTF_SIZE)\s*\(/g;
  const shifts: { at: number; by: number }[] = [];
  let out = "";
  let last = 0;
  let n = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(scan))) {
    const open = m.index + m[0].length - 1;
    const close = closeParen(scan, open);
    const line = lineOf(text, m.index);
    const column = m.index - text.lastIndexOf("\n", m.index - 1);
    if (close < 0) throw new BtfRewriteError(`${m[1]}( is not closed`, line, column);
    const inner = text.slice(open + 1, close - 1);
    let expansion: string;
    try {
      expansion = expand(btf(), m[1], splitArgs(inner), n++);
    } catch (e) {
      throw new BtfRewriteError(`${m[1]}: ${(e as Error).message}`, line, column);
    }
    const newlines = inner.split("\n").length - 1;
    const replacement = expansion + "\n".repeat(newlines);
    out += text.slice(last, m.index) + replacement;
    shifts.push({ at: close, by: replacement.length - (close - m.index) });
    last = close;
    re.lastIndex = close;
  }
  const moved = (offset: number): number => offset + shifts.reduce((sum, s) => (s.at <= offset ? sum + s.by : sum), 0);
  return { text: out + text.slice(last), moved };
}
