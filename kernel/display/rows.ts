/**
 * Table input in the shapes the BPF side has at hand: plain objects (one per
 * row) or key/value pairs from a map. A struct key or value spreads into
 * columns, so `{pid, comm} -> 12` reads as columns pid, comm, value.
 */
import { isPlainObject, isNumeric } from "./format.js";

export type Row = Record<string, unknown>;
/** A map entry as [key, value]; `{ key, value }` objects are read the same way. */
export type KeyValuePair = readonly [unknown, unknown];
export type RowsInput = Iterable<Row | KeyValuePair>;

function spread(into: Row, v: unknown, name: string): void {
  if (isPlainObject(v)) {
    for (const [k, x] of Object.entries(v)) into[k in into ? `${name}.${k}` : k] = x;
  } else {
    into[name] = v;
  }
}

function isKeyValueObject(item: unknown): item is { key: unknown; value: unknown } {
  if (!isPlainObject(item)) return false;
  const keys = Object.keys(item);
  return keys.length === 2 && "key" in item && "value" in item;
}

/** One input item as a flat row. */
export function toRow(item: Row | KeyValuePair): Row {
  if (isKeyValueObject(item)) return toRow([item.key, item.value]);
  if (Array.isArray(item) && item.length === 2) {
    const row: Row = {};
    spread(row, item[0], "key");
    spread(row, item[1], "value");
    return row;
  }
  return item as Row;
}

/** Column names in first-seen order over the given rows. */
export function columnsOf(rows: Iterable<Row>): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}

/** Whether a column holds only numbers (blank cells aside), for right alignment. */
export function numericColumns(columns: string[], rows: Row[]): boolean[] {
  return columns.map((c) => {
    let any = false;
    for (const r of rows) {
      const v = r[c];
      if (v === undefined || v === null) continue;
      if (!isNumeric(v)) return false;
      any = true;
    }
    return any;
  });
}

/** Orders numbers and bigints together, exactly; anything else by its text. */
export function compareValues(a: unknown, b: unknown): number {
  if (isNumeric(a) && isNumeric(b)) {
    if (typeof a === typeof b) return a < b ? -1 : a > b ? 1 : 0;
    // Mixed number/bigint compare exactly with < and > in JavaScript.
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (isNumeric(a)) return 1;
  if (isNumeric(b)) return -1;
  const sa = a === undefined || a === null ? "" : String(a);
  const sb = b === undefined || b === null ? "" : String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}
