/**
 * Clang's diagnostics for a `%%bpf` block, renumbered to the cell's own
 * lines and shown with the source line and a caret.
 *
 * The text compiled is `prelude + body`: the body's line 1 is cell line
 * headerLine + 1, and every line of prelude text ibcc put before it shifts
 * clang's numbers by that many.
 */
import type { Diagnostic } from "../../native/types.js";
import { CellError } from "../../kernel/plugin.js";
import { ansi } from "./ansi.js";
import { TRACEFS } from "./hooks.js";

export interface SourceMap {
  /** Cell line of the block's header; 0 for text that is not in a cell (BPF.load). */
  headerLine: number;
  /** Lines ibcc put before the body in the compiled text. */
  preludeLines: number;
  /** The block's body as the user wrote it. */
  body: string;
}

export interface CellDiagnostic extends Diagnostic {
  /** Line in the cell, or undefined when the diagnostic is not in the block's text. */
  cellLine?: number;
  /** In text libbcc wrote into the program (a tracepoint's args struct, its rewrites), not the user's. */
  generated?: boolean;
  /** What that generated text is, when known. */
  generatedWhat?: string;
}

/** The file name libbcc gives the program text. */
const MAIN = /(^|\/)main\.c$/;

export function toCell(d: Diagnostic, map: SourceMap): CellDiagnostic {
  if (!MAIN.test(d.file)) return { ...d };
  const bodyLine = d.line - map.preludeLines;
  const lines = map.body.split("\n");
  if (bodyLine < 1 || bodyLine > lines.length) return { ...d, generated: true };
  // libbcc's inserted code shares the user's line numbers (see keepLineNumbers):
  // a note about a named thing whose line does not show that name is there.
  const named = d.severity === "note" ? /^'([A-Za-z_]\w*)' (?:is )?(?:declared|defined) here$/.exec(d.message)?.[1] : undefined;
  if (named && !lines[bodyLine - 1].slice(Math.max(0, d.column - 1)).startsWith(named)) return { ...d, generated: true };
  return { ...d, cellLine: map.headerLine + bodyLine };
}

/** Where a diagnostic is, in words: the cell's line, BCC's own code, or a header file. */
function place(d: CellDiagnostic, map: SourceMap, column: boolean): string {
  if (d.cellLine !== undefined) return `${lineWord(map)} ${d.cellLine}${column ? `, col ${d.column}` : ""}`;
  if (d.generated) return `in ${d.generatedWhat ?? "BCC's generated code"}`;
  const own = /^\/virtual\//.test(d.file) ? "BCC's " : "";
  return `${own}${d.file}:${d.line}${column ? `:${d.column}` : ""}`;
}

/** "cell line" in a cell; plain "line" of the text given to BPF.load. */
const lineWord = (map: SourceMap) => (map.headerLine > 0 ? "cell line" : "line");

const colour = { error: ansi.boldRed, fatal: ansi.boldRed, warning: ansi.yellow, note: ansi.cyan } as const;

/** `cell line N, col C: error: msg`, the line and a caret, plain or coloured. */
export function formatDiagnostic(d: CellDiagnostic, map: SourceMap, colours = true): string[] {
  const sev = colours ? colour[d.severity](`${d.severity}:`) : `${d.severity}:`;
  const where = place(d, map, true);
  const out = [`${colours ? ansi.bold(where) : where}: ${sev} ${d.message}`];
  if (d.cellLine !== undefined) {
    const src = map.body.split("\n")[d.cellLine - map.headerLine - 1] ?? "";
    const caretPad = src.slice(0, Math.max(0, d.column - 1)).replace(/[^\t]/g, " ");
    out.push(`    ${src}`);
    out.push(`    ${caretPad}${colours ? ansi.green("^") : "^"}`);
  }
  return out;
}

/** The CellError a failed compile shows: errors first, with their notes. */
/**
 * Names the generated text a note points into when the diagnostic it
 * follows says what that is: a tracepoint's args struct, whose fields the
 * event's format file lists.
 */
function nameGenerated(cell: CellDiagnostic[]): CellDiagnostic[] {
  let about = "";
  return cell.map((d) => {
    if (d.severity !== "note") about = d.message;
    if (!d.generated || d.severity !== "note") return d;
    const tp = /struct tracepoint__(\w+?)__(\w+)/.exec(about);
    if (!tp) return d;
    return { ...d, generatedWhat: `BCC's args struct for tracepoint ${tp[1]}:${tp[2]} (its fields: ${TRACEFS}/events/${tp[1]}/${tp[2]}/format)` };
  });
}

export function compileFailure(diags: Diagnostic[], map: SourceMap, rawLog = ""): CellError {
  const cell = nameGenerated(diags.map((d) => toCell(d, map)));
  const shown = cell.filter((d) => d.severity !== "warning");
  const errors = cell.filter((d) => d.severity === "error" || d.severity === "fatal");
  const traceback: string[] = [];
  for (const d of shown.length ? shown : cell) traceback.push(...formatDiagnostic(d, map));
  if (traceback.length === 0 && rawLog) traceback.push(...rawLog.trimEnd().split("\n"));
  const first = errors[0] ?? cell[0];
  const evalue = first
    ? `${place(first, map, false)}: ${first.message}` +
      (errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? "s" : ""})` : "")
    : "the BPF program did not compile";
  return new CellError("CompileError", evalue, [ansi.boldRed("CompileError") + ": the BPF C did not compile", ...traceback]);
}
