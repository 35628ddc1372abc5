/** An Arrow table as RFC 4180 CSV text: a header row, then one line per row. */
import type { ArrowTable } from "./arrow.js";

function cell(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = typeof v === "object" ? JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x)) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function arrowToCSV(table: ArrowTable): string {
  const names = table.schema.fields.map((f) => f.name);
  const cols = names.map((_, i) => table.getChildAt(i)!);
  const lines = [names.map(cell).join(",")];
  for (let r = 0; r < table.numRows; r++) lines.push(cols.map((c) => cell(c.get(r))).join(","));
  return lines.join("\r\n") + "\r\n";
}
