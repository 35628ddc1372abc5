/** Plain-text tables with aligned columns: numbers right, text left. */

export interface TextTable {
  title?: string;
  columns: string[];
  rows: string[][];
  numeric: boolean[];
  footer?: string;
  /** Separator between columns (two spaces for tables, " : " for key/value lists). */
  separator?: string;
  /** Omit the header and its rule (key/value lists). */
  noHeader?: boolean;
}

/** Display width of a string (code points; wide scripts are rare in kernel data). */
function width(s: string): number {
  return [...s].length;
}

function fit(s: string, w: number, right: boolean): string {
  const padding = " ".repeat(Math.max(0, w - width(s)));
  return right ? padding + s : s + padding;
}

export function textTable(t: TextTable): string {
  const sep = t.separator ?? "  ";
  const ncol = Math.max(t.columns.length, ...t.rows.map((r) => r.length));
  const widths = Array.from({ length: ncol }, (_, i) =>
    Math.max(t.noHeader ? 0 : width(t.columns[i] ?? ""), ...t.rows.map((r) => width(r[i] ?? ""))),
  );
  const line = (cells: string[]) =>
    widths
      .map((w, i) => fit(cells[i] ?? "", i === ncol - 1 && !t.numeric[i] ? 0 : w, t.numeric[i]))
      .join(sep)
      .trimEnd();
  const out: string[] = [];
  if (t.title) out.push(t.title);
  if (!t.noHeader && t.columns.length) {
    out.push(line(t.columns));
    out.push(widths.map((w) => "-".repeat(w)).join(sep));
  }
  for (const r of t.rows) out.push(line(r));
  if (t.footer !== undefined) out.push(t.footer);
  return out.join("\n");
}
