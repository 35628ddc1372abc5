/**
 * Decoded BPF data as Apache Arrow tables: typed-array columns as they are
 * (no copy), struct columns flattened to dotted names ("key.pid"), other
 * values inferred per column. apache-arrow is loaded on first use, so a
 * kernel that never exports or captures does not pay for it at start.
 */
import { createRequire } from "node:module";
import type * as ArrowNs from "apache-arrow";
import type { Column } from "../../native/codec.js";
import type { ColumnarEntries } from "../../native/typed-map.js";

let lib: typeof ArrowNs | undefined;

/** The apache-arrow module, required synchronously (toArrow() returns a Table, not a promise). */
export function arrow(): typeof ArrowNs {
  lib ??= createRequire(import.meta.url)("apache-arrow") as typeof ArrowNs;
  return lib;
}

export type ArrowTable = ArrowNs.Table;

const isTyped = (c: unknown): c is ArrayBufferView => ArrayBuffer.isView(c) && !(c instanceof DataView);

/** One Arrow vector per leaf of a codec's Column, named by its path. */
export function flattenColumn(name: string, col: Column, out: Record<string, ArrowNs.Vector>): void {
  const A = arrow();
  if (isTyped(col)) out[name] = A.makeVector(col as unknown as Int32Array);
  else if (Array.isArray(col)) out[name] = vectorOf(col);
  else for (const [field, sub] of Object.entries(col)) flattenColumn(`${name}.${field}`, sub, out);
}

/** Values of one column: numbers, bigints, strings, booleans; anything else as JSON text. */
export function vectorOf(values: readonly unknown[]): ArrowNs.Vector {
  const A = arrow();
  let kind: "number" | "bigint" | "string" | "boolean" | "json" | undefined;
  let negative = false;
  for (const v of values) {
    if (v === undefined || v === null) continue;
    const tv = typeof v;
    const t = tv === "number" || tv === "bigint" || tv === "string" || tv === "boolean" ? tv : "json";
    if (t === "bigint" && (v as bigint) < 0n) negative = true;
    if (kind === undefined) kind = t;
    else if (kind !== t) kind = kind === "number" && t === "bigint" ? "bigint" : kind === "bigint" && t === "number" ? "bigint" : "json";
  }
  switch (kind) {
    case "number":
      return A.vectorFromArray(values as (number | null)[], new A.Float64());
    case "bigint":
      return A.vectorFromArray(values.map((v) => (v === undefined || v === null ? null : BigInt(v as bigint))), negative ? new A.Int64() : new A.Uint64());
    case "boolean":
      return A.vectorFromArray(values as (boolean | null)[], new A.Bool());
    case "string":
      return A.vectorFromArray(values as (string | null)[], new A.Utf8());
    default:
      return A.vectorFromArray(values.map((v) => (v === undefined || v === null ? null : JSON.stringify(v, jsonValue))), new A.Utf8());
  }
}

function jsonValue(_k: string, v: unknown): unknown {
  if (typeof v === "bigint") return v.toString();
  if (Buffer.isBuffer(v)) return v.toString("hex");
  return v;
}

/** Rows of records (or plain values) as a table: one column per (flattened) field. */
export function rowsToArrow(rows: readonly unknown[], base = "value"): ArrowNs.Table {
  const A = arrow();
  const columns = new Map<string, unknown[]>();
  const add = (name: string, i: number, v: unknown) => {
    let c = columns.get(name);
    if (!c) columns.set(name, (c = new Array(rows.length).fill(null)));
    c[i] = v;
  };
  const walk = (prefix: string, v: unknown, i: number) => {
    if (v !== null && typeof v === "object" && !Array.isArray(v) && !Buffer.isBuffer(v))
      for (const [k, sub] of Object.entries(v)) walk(prefix ? `${prefix}.${k}` : k, sub, i);
    else add(prefix || base, i, v);
  };
  rows.forEach((r, i) => walk("", r, i));
  const vectors: Record<string, ArrowNs.Vector> = {};
  for (const [name, values] of columns) vectors[name] = vectorOf(values);
  return new A.Table(vectors);
}

/** [key, value] entries as a table with key and value columns (struct fields flattened under them). */
export function entriesToArrow(entries: readonly (readonly [unknown, unknown])[]): ArrowNs.Table {
  return rowsToArrow(entries.map(([key, value]) => ({ key, value })));
}

/** A map's columns (Table.entriesColumnar()) as a table: key, value, or their struct fields flattened. */
export function columnarToArrow(c: ColumnarEntries): ArrowNs.Table {
  const vectors: Record<string, ArrowNs.Vector> = {};
  flattenColumn("key", c.keys, vectors);
  flattenColumn("value", c.values, vectors);
  return new (arrow().Table)(vectors);
}
