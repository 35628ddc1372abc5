/** Prints rows as one aligned plain-text table. */
import type { Row } from "./row.js";
import { median, min } from "./stats.js";

function fmt(v: number): string {
  if (!Number.isFinite(v)) return "-";
  const a = Math.abs(v);
  if (a >= 1e6) return (v / 1e6).toFixed(2) + "M";
  if (a >= 1e4) return (v / 1e3).toFixed(1) + "k";
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  if (a === 0) return "0";
  return v.toPrecision(2);
}

export function ratio(row: Row): number {
  if (!row.ibcc?.length || !row.bcc?.length) return NaN;
  const b = median(row.bcc);
  return b === 0 ? NaN : median(row.ibcc) / b;
}

export function formatTable(rows: Row[]): string {
  const head = ["job", "unit", "ibcc min", "ibcc median", "BCC min", "BCC median", "ratio", "note"];
  const body = rows.map((r) => [
    r.job,
    r.unit,
    fmt(min(r.ibcc ?? [])),
    fmt(median(r.ibcc ?? [])),
    fmt(min(r.bcc ?? [])),
    fmt(median(r.bcc ?? [])),
    Number.isFinite(ratio(r)) ? ratio(r).toFixed(2) + "x" : "-",
    r.note ?? "",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const numeric = (i: number) => i >= 2 && i <= 6;
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : numeric(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w, i) => "-".repeat(i === widths.length - 1 ? Math.max(4, w) : w)).join("  ");
  return [line(head), rule, ...body.map(line)].join("\n");
}
