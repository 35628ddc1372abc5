/**
 * A whole map decoded into JS values, the way a notebook cell gets it: through
 * native/table.ts (TypedMap.entries(), entriesColumnar()) where that is built,
 * else straight through native/codec.ts over readAll(). Which path ran is
 * returned, so the table can say so.
 */
import type { BpfMap } from "../../native/types.js";
import { tableModule } from "./ibcc.js";

const CODEC = "../../native/codec.js";

interface Decoded {
  count: number;
  how: string;
}

// Made once per map, as a cell holds one table object and reads it again and
// again: building codecs is a one-off cost, not a cost of each read.
const typed = new WeakMap<BpfMap, any>();
const coded = new WeakMap<BpfMap, { key: any; value: any }>();

async function typedMap(map: BpfMap): Promise<any | undefined> {
  if (typed.has(map)) return typed.get(map);
  const t = await tableModule();
  let tm: any;
  try {
    tm = t?.TypedMap ? new t.TypedMap(map) : undefined;
  } catch {
    tm = undefined;
  }
  typed.set(map, tm);
  return tm;
}

async function codecs(map: BpfMap) {
  let c = coded.get(map);
  if (!c) {
    const m: any = await import(CODEC);
    c = { key: m.compileCodec(map.keyDesc, map.keySize), value: m.compileCodec(map.valueDesc, map.valueSize) };
    coded.set(map, c);
  }
  return c;
}

function sizeOf(x: any): number {
  if (Array.isArray(x)) return x.length;
  if (x instanceof Map) return x.size;
  if (typeof x?.length === "number") return x.length;
  return [...x].length;
}

/** Every entry as [key, value] pairs of JS values. */
export async function decodeAll(map: BpfMap): Promise<Decoded> {
  const tm = await typedMap(map);
  if (tm) return { count: sizeOf(await tm.entries()), how: "TypedMap.entries()" };
  const { key, value } = await codecs(map);
  const all = map.readAll();
  const keys = key.decodeMany(all.keys, all.count);
  const values = value.decodeMany(all.values, all.count);
  const pairs = new Array(all.count);
  for (let i = 0; i < all.count; i++) pairs[i] = [keys[i], values[i]];
  return { count: pairs.length, how: "readAll + Codec.decodeMany" };
}

/** Every entry as a key column and a value column (typed arrays for integers). */
export async function decodeColumns(map: BpfMap): Promise<Decoded> {
  const tm = await typedMap(map);
  if (tm?.entriesColumnar) {
    const c = await tm.entriesColumnar();
    return { count: c.count ?? sizeOf(c.keys), how: "TypedMap.entriesColumnar()" };
  }
  const { key, value } = await codecs(map);
  const all = map.readAll();
  const keys = key.columns(all.keys, all.count);
  value.columns(all.values, all.count);
  return { count: sizeOf(keys), how: "readAll + Codec.columns" };
}

/** Decoding alone, on bytes already read: what the decoded read costs above readAll(). */
export async function decodeOnly(map: BpfMap, all: { keys: Buffer; values: Buffer; count: number }): Promise<() => number> {
  const { key, value } = await codecs(map);
  return () => {
    const keys = key.decodeMany(all.keys, all.count);
    const values = value.decodeMany(all.values, all.count);
    const pairs = new Array(all.count);
    for (let i = 0; i < all.count; i++) pairs[i] = [keys[i], values[i]];
    return pairs.length;
  };
}

/**
 * The least a u64 -> u64 decode can cost in JS: a BigInt per key and per value
 * and an array per pair, straight from BigUint64Array views, kept alive. What
 * bounds this is the V8 heap (allocation and young-generation copying).
 */
export function bigintPairs(all: { keys: Buffer; values: Buffer; count: number }): number {
  const k = new BigUint64Array(all.keys.buffer, all.keys.byteOffset, all.count);
  const v = new BigUint64Array(all.values.buffer, all.values.byteOffset, all.count);
  const pairs = new Array(all.count);
  for (let i = 0; i < all.count; i++) pairs[i] = [k[i], v[i]];
  return pairs.length;
}
