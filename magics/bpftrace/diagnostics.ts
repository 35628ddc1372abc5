/**
 * bpftrace's messages on the cell's own lines. bpftrace reports
 * `stdin:LINE:COL-COL: ERROR: message`, then the source line and a `~~~`
 * underline; the block's line 1 is cell line headerLine + 1. Shown like a
 * %%bpf block's clang diagnostics: "cell line N, col C: error: ...", the
 * line, and a caret under the columns.
 */
import { existsSync } from "node:fs";
import { CellError } from "../../kernel/plugin.js";
import { ansi } from "../diagnostics/ansi.js";

export interface BlockPlace {
  /** Cell line of the `%%bpftrace` header. */
  headerLine: number;
  body: string;
  /** Text put into a line of the body before running it (marker.ts): columns after it move back. */
  inserted?: { line: number; column: number; length: number };
}

const LOCATED = /^stdin:(\d+):(\d+)(?:-(\d+))?:\s*(ERROR|WARNING):\s*(.*)$/;
const UNDERLINE = /^\s*~+\s*$/;
/** A message about lines as a whole: `stdin:3: ERROR: ...`, `stdin:1-2: ERROR: ...`. */
const ON_LINES = /^stdin:(\d+)(?:-(\d+))?:\s*(ERROR|WARNING):\s*(.*)$/;

export interface Renumbered {
  lines: string[];
  /** The first error, as one line without colours. */
  firstError?: string;
}

/** bpftrace's stderr with every located message moved onto cell lines. */
export function renumber(stderr: string, place: BlockPlace, colours = true): Renumbered {
  const body = place.body.split("\n");
  const input = stderr.replace(/\n$/, "").split("\n");
  const out: string[] = [];
  let firstError: string | undefined;
  for (let i = 0; i < input.length; i++) {
    const m = LOCATED.exec(input[i]);
    const whole = m ? undefined : ON_LINES.exec(input[i]);
    if (whole) {
      const [, from, to, sev, message] = whole;
      const where = `cell line${to && to !== from ? `s ${place.headerLine + Number(from)}-${place.headerLine + Number(to)}` : ` ${place.headerLine + Number(from)}`}`;
      const severity = sev === "ERROR" ? "error" : "warning";
      if (severity === "error" && firstError === undefined) firstError = `${where}: ${message}`;
      const sevText = colours ? (severity === "error" ? ansi.boldRed("error:") : ansi.yellow("warning:")) : `${severity}:`;
      out.push(`${colours ? ansi.bold(where) : where}: ${sevText} ${message}`);
      continue;
    }
    if (!m) {
      const plain = /^ERROR:\s*(.*)$/.exec(input[i]);
      if (plain && firstError === undefined) firstError = plain[1];
      if (input[i] !== "") out.push(plain && colours ? `${ansi.boldRed("error:")} ${plain[1]}` : input[i]);
      continue;
    }
    const [, lineText, colText, endText, sev, message] = m;
    const line = Number(lineText);
    const ins = place.inserted;
    const back = (c: number) => (ins && ins.line === line && c - 1 >= ins.column + ins.length ? c - ins.length : c);
    const col = back(Number(colText));
    const width = Math.max(1, (endText ? back(Number(endText)) : col + 1) - col);
    const src = body[line - 1];
    const severity = sev === "ERROR" ? "error" : "warning";
    const where = src !== undefined ? `cell line ${place.headerLine + line}, col ${col}` : `line ${line}, col ${col}`;
    if (severity === "error" && firstError === undefined) firstError = `${where}: ${message}`;
    const sevText = colours ? (severity === "error" ? ansi.boldRed("error:") : ansi.yellow("warning:")) : `${severity}:`;
    out.push(`${colours ? ansi.bold(where) : where}: ${sevText} ${message}`);
    // bpftrace's own copy of the line (as run) and its underline give way to ours.
    if (input[i + 2] !== undefined && UNDERLINE.test(input[i + 2])) i += 2;
    else if (input[i + 1] !== undefined && src !== undefined && input[i + 1] === src) i++;
    if (src !== undefined) {
      const pad = src.slice(0, Math.max(0, col - 1)).replace(/[^\t]/g, " ");
      const caret = "^" + "~".repeat(Math.max(0, width - 1));
      out.push(`    ${src}`, `    ${pad}${colours ? ansi.green(caret) : caret}`);
    }
  }
  return { lines: out, firstError };
}

function kprobeHint(stderr: string): string | undefined {
  if (!/kprobe|kretprobe|kfunc|fentry|fexit/.test(stderr) || !/attach|kprobe_events/i.test(stderr)) return undefined;
  if (existsSync("/sys/kernel/tracing/kprobe_events") || existsSync("/sys/kernel/debug/tracing/kprobe_events")) return undefined;
  return "This kernel has no kprobes (no kprobe_events in tracefs): trace with tracepoint:, rawtracepoint:, uprobe: or profile: probes instead (`bpftrace -l 'tracepoint:*'` lists them).";
}

/** The error a bpftrace that did not start (or failed while running) ends its cell with. */
export function bpftraceFailure(stderr: string, place: BlockPlace, exit: { code: number | null; signal: string | null }): CellError {
  const { lines, firstError } = renumber(stderr, place);
  const hint = kprobeHint(stderr);
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`;
  const evalue = firstError ?? `bpftrace ${how}`;
  const traceback = [`${ansi.boldRed("BpftraceError")}: bpftrace ${how}`, ...lines];
  if (hint) traceback.push("", hint);
  return new CellError("BpftraceError", evalue, traceback);
}
