/**
 * Checks an executed notebook's outputs against the expectations its cells
 * carry in metadata, so one generic test covers every notebook:
 *
 *   "ibcc": {
 *     "expect": [mime, ...],   each mime type appears in some rich output ("stream": some stdout text)
 *     "match": [regex, ...],   each regex matches the cell's text (streams, text/plain, text/html)
 *     "histogram": true,       a chart output: vegalite + svg + png + text/plain with a non-empty bar
 *     "table": true,           a table output: text/html with at least one data row, or text/plain rows
 *     "error": regex           (with tag raises-exception) the error output matches
 *     "numbers": [NumberCheck]  figures the lesson's prose states about this output (below)
 *   }
 *
 * A cell without the raises-exception tag must have no error output.
 *
 * The course's rule: every figure a lesson states about its own output is
 * checked here, or the lesson does not state it. A NumberCheck finds the figure
 * in the cell's text (as cellText gives it) and compares it:
 *
 *   { "re": "(\\d+) of (\\d+) requests matched",   regex; group 1 is the figure ("1,234" reads
 *                                                 as 1234), other groups may serve as bounds
 *     "eq": 40 | "$2",                             == a number, or another group of the same match
 *     "min", "max": ...                            >= / <= (inclusive)
 *     "lt", "gt": ...                              <  / >  (strict)
 *     "count": true,                               the figure is how many times re matches
 *     "all": true | "any": true,                   every match must hold / at least one must
 *                                                  (default: the first match)
 *     "why": "every request of the workload matched" }   the claim, for the failure message
 *
 * A regex that does not match at all fails (unless "count" expects 0), so a
 * check never passes by finding nothing.
 */

import type { NbOutput } from "../../kernel/export/html.js";

/** A notebook output, as the exporter reads it. */
export type Output = NbOutput;

export interface Cell {
  cell_type: string;
  id?: string;
  source: string | string[];
  metadata: { tags?: string[]; ibcc?: CellExpectations; [k: string]: unknown };
  outputs?: Output[];
}

export interface NumberCheck {
  re: string;
  eq?: number | string;
  min?: number | string;
  max?: number | string;
  lt?: number | string;
  gt?: number | string;
  count?: boolean;
  all?: boolean;
  any?: boolean;
  why: string;
}

export interface CellExpectations {
  expect?: string[];
  match?: string[];
  histogram?: boolean;
  table?: boolean;
  error?: string;
  numbers?: NumberCheck[];
}

export interface Notebook {
  cells: Cell[];
  metadata: Record<string, unknown>;
}

export const VEGALITE = "application/vnd.vegalite.v5+json";
const CHART_MIMES = [VEGALITE, "image/svg+xml", "image/png", "text/plain"];

const join = (t: string | string[] | undefined) => (Array.isArray(t) ? t.join("") : (t ?? ""));
export const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");

function rich(cell: Cell): Output[] {
  return (cell.outputs ?? []).filter((o) => o.output_type === "display_data" || o.output_type === "execute_result");
}

/** Everything a reader sees of a cell, as text. */
export function cellText(cell: Cell): string {
  const parts: string[] = [];
  for (const o of cell.outputs ?? []) {
    if (o.output_type === "stream") parts.push(join(o.text));
    else if (o.output_type === "error") parts.push(`${o.ename}: ${o.evalue}\n${(o.traceback ?? []).join("\n")}`);
    else if (o.data) {
      for (const mime of ["text/plain", "text/html", "text/markdown"]) {
        const v = o.data[mime];
        if (v !== undefined) parts.push(join(v as string | string[]));
      }
    }
  }
  return stripAnsi(parts.join("\n"));
}

/** A BCC star-bar line with at least one star: `  4 -> 7   : 12   |****   |`. */
export function hasNonEmptyBar(text: string): boolean {
  return /:\s*[1-9]\d*\s*\|\*+/.test(text);
}

function isHistogramOutput(o: Output): boolean {
  const d = o.data ?? {};
  return CHART_MIMES.every((m) => m in d) && hasNonEmptyBar(join(d["text/plain"] as string | string[]));
}

function isTableOutput(o: Output): boolean {
  const d = o.data ?? {};
  const html = join(d["text/html"] as string | string[] | undefined);
  if (html) return /<tr[\s>][\s\S]*?<td[\s>]/i.test(html);
  return join(d["text/plain"] as string | string[] | undefined).trim().split("\n").length >= 2;
}

const toNumber = (s: string | undefined) => (s === undefined ? NaN : Number(s.replace(/,/g, "")));

const COMPARISONS: Array<[keyof NumberCheck, string, (a: number, b: number) => boolean]> = [
  ["eq", "==", (a, b) => a === b],
  ["min", ">=", (a, b) => a >= b],
  ["max", "<=", (a, b) => a <= b],
  ["lt", "<", (a, b) => a < b],
  ["gt", ">", (a, b) => a > b],
];

/** How a figure fails its bounds ("expected >= 40 (40)"), or [] when it meets them. */
function compare(value: number, check: NumberCheck, groups: RegExpMatchArray | undefined): string[] {
  // A bound is a number or "$N", the N-th group of the same match.
  const bound = (b: number | string) => (typeof b === "number" ? b : toNumber(groups?.[Number(/^\$(\d+)$/.exec(b)?.[1] ?? NaN)]));
  const fails: string[] = [];
  if (Number.isNaN(value)) fails.push("the figure is not a number");
  for (const [key, op, holds] of COMPARISONS) {
    const b = check[key] as number | string | undefined;
    if (b !== undefined && !holds(value, bound(b))) fails.push(`expected ${op} ${b}${typeof b === "string" ? ` (${bound(b)})` : ""}`);
  }
  return fails;
}

/** Problems with one figure check against a cell's text; empty when it holds. */
export function checkNumbers(text: string, check: NumberCheck): string[] {
  const matches = [...text.matchAll(new RegExp(check.re, "g"))];
  const label = `/${check.re}/ (${check.why})`;
  if (check.count) {
    const fails = compare(matches.length, check, undefined);
    return fails.length ? [`figure ${label}: found ${matches.length} times, ${fails.join(", ")}`] : [];
  }
  if (matches.length === 0) return [`figure not found: ${label} in ${JSON.stringify(text.slice(0, 300))}`];
  const results = matches.map((m) => ({ m, fails: compare(toNumber(m[1]), check, m) }));
  const shown = (r: (typeof results)[number]) => `"${r.m[0]}" gives ${r.m[1]}, ${r.fails.join(", ")}`;
  if (check.any) {
    if (results.some((r) => r.fails.length === 0)) return [];
    return [`figure ${label}: no match holds: ${results.slice(0, 5).map(shown).join("; ")}`];
  }
  return (check.all ? results : results.slice(0, 1)).filter((r) => r.fails.length).map((r) => `figure ${label}: ${shown(r)}`);
}

/** Problems with one cell; empty when it meets its expectations. */
export function checkCell(cell: Cell): string[] {
  if (cell.cell_type !== "code") return [];
  const problems: string[] = [];
  const want = cell.metadata.ibcc ?? {};
  const tagged = (cell.metadata.tags ?? []).includes("raises-exception");
  const errors = (cell.outputs ?? []).filter((o) => o.output_type === "error");
  if (tagged) {
    if (errors.length === 0) problems.push("expected an error output (tagged raises-exception), got none");
    else if (want.error) {
      const text = stripAnsi(errors.map((e) => `${e.ename}: ${e.evalue}\n${(e.traceback ?? []).join("\n")}`).join("\n"));
      if (!new RegExp(want.error, "i").test(text)) problems.push(`error does not match /${want.error}/i: ${text.slice(0, 300)}`);
    }
  } else if (errors.length > 0) {
    const e = errors[0];
    problems.push(`unexpected error ${e.ename}: ${stripAnsi(e.evalue ?? "").slice(0, 300)}`);
  }
  const outs = rich(cell);
  for (const mime of want.expect ?? []) {
    if (mime === "stream") {
      if (!(cell.outputs ?? []).some((o) => o.output_type === "stream" && o.name === "stdout" && join(o.text).trim()))
        problems.push("no stdout output");
    } else if (!outs.some((o) => o.data && mime in o.data)) problems.push(`no output of type ${mime}`);
  }
  if (want.histogram && !outs.some(isHistogramOutput))
    problems.push(`no histogram output (${CHART_MIMES.join(" + ")} with a non-empty bucket)`);
  if (want.table && !outs.some(isTableOutput)) problems.push("no table output with rows");
  const text = cellText(cell);
  for (const re of want.match ?? []) {
    if (!new RegExp(re).test(text)) problems.push(`output does not match /${re}/: ${JSON.stringify(text.slice(0, 200))}`);
  }
  for (const check of want.numbers ?? []) problems.push(...checkNumbers(text, check));
  return problems;
}

/** Problems with every cell, prefixed by the cell's index and first source line. */
export function checkNotebook(nb: Notebook): string[] {
  const out: string[] = [];
  nb.cells.forEach((cell, i) => {
    const first = join(cell.source).split("\n")[0].slice(0, 60);
    for (const p of checkCell(cell)) out.push(`cell ${i} (${first}): ${p}`);
  });
  return out;
}

/** What the executed notebook records about where it ran (kernel release, libbcc, ibcc). */
export function provenance(nb: Notebook): Record<string, unknown> {
  const found: Record<string, unknown> = {};
  const li = nb.metadata.language_info as Record<string, unknown> | undefined;
  if (li) found.language_info = li;
  for (const key of ["ibcc", "kernel_info"]) if (nb.metadata[key] !== undefined) found[key] = nb.metadata[key];
  for (const cell of nb.cells) {
    for (const o of cell.outputs ?? []) {
      const m = (o.metadata as Record<string, unknown> | undefined)?.ibcc as Record<string, unknown> | undefined;
      if (m && (m.kernelRelease || m.libbccVersion)) {
        found.output_ibcc = { kernelRelease: m.kernelRelease, libbccVersion: m.libbccVersion, ibccVersion: m.ibccVersion };
        return found;
      }
    }
  }
  return found;
}
