/**
 * How one cell value reads in a table: exact integers (bigint stays exact),
 * structs as compact `{a: 1, b: "x"}`, bytes as hex, and long or multi-line
 * strings cut so one cell never wrecks the table's layout.
 */

const MAX_CELL = 200;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function isNumeric(v: unknown): v is number | bigint {
  return typeof v === "bigint" || (typeof v === "number" && !Number.isNaN(v));
}

function inner(v: unknown, depth: number): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return depth === 0 ? v : JSON.stringify(v);
  if (typeof v === "bigint" || typeof v === "number" || typeof v === "boolean") return String(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? "Invalid Date" : v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex");
  if (depth > 3) return "…";
  if (Array.isArray(v)) return `[${v.map((x) => inner(x, depth + 1)).join(", ")}]`;
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `${inner(k, depth + 1)}: ${inner(x, depth + 1)}`).join(", ")}}`;
  if (typeof v === "object") {
    return `{${Object.entries(v as object).map(([k, x]) => `${k}: ${inner(x, depth + 1)}`).join(", ")}}`;
  }
  return String(v);
}

/** One value as table text: one line, at most MAX_CELL characters. */
export function formatCell(v: unknown): string {
  let s = inner(v, 0).replace(/\r?\n/g, "⏎").replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "·").replace(/\t/g, " ");
  if (s.length > MAX_CELL) s = s.slice(0, MAX_CELL - 1) + "…";
  return s;
}

/** An integer with thousands separators ("999,980"); other numbers as they are. */
export function groupDigits(v: number | bigint): string {
  if (typeof v === "number" && !Number.isInteger(v)) return v.toLocaleString("en-US", { maximumFractionDigits: 3 });
  const s = String(v);
  const neg = s.startsWith("-");
  const digits = neg ? s.slice(1) : s;
  return (neg ? "-" : "") + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
