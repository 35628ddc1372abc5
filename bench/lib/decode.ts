/**
 * A whole map decoded into JS values, the way a notebook cell gets it: through
 * native/typed-map.ts (TypedMap.entries(), entriesColumnar()), else straight
 * through native/codec.ts over readAll() when no typed view can be made.
 * Which path ran is returned, so the table can say so.
 */
import type { BpfMap } from "../../native/types.js";
import { compileCodec, type Codec } from "../../native/codec.js";
import { TypedMap } from "../../native/typed-map.js";

interface Decoded {
  count: number;
  how: string;
}

// Made once per map, as a cell holds one table object and reads it again and
// again: building codecs is a one-off cost, not a cost of each read.
const typed = new WeakMap<BpfMap, TypedMap | undefined>();
const coded = new WeakMap<BpfMap, { key: Codec<unknown>; value: Codec<unknown> }>();

async function typedMap(map: BpfMap): Promise<TypedMap | undefined> {
  if (typed.has(map)) return typed.get(map);
  let tm: TypedMap | undefined;
  try {
    tm = new TypedMap(map);
  } catch {
    tm = undefined;
  }
  typed.set(map, tm);
  return tm;
}

async function codecs(map: BpfMap) {
  let c = coded.get(map);
  if (!c) {
    c = { key: compileCodec(map.keyDesc, map.keySize), value: compileCodec(map.valueDesc, map.valueSize) };
    coded.set(map, c);
  }
  return c;
}

function sizeOf(x: unknown): number {
  if (Array.isArray(x)) return x.length;
  if (x instanceof Map) return x.size;
  const n = (x as { length?: unknown } | null)?.length;
  if (typeof n === "number") return n;
  return [...(x as Iterable<unknown>)].length;
}

/** Every entry as [key, value] pairs of JS values. */
export async function decodeAll(map: BpfMap): Promise<Decoded> {
  const tm = await typedMap(map);
  if (tm) return { count: sizeOf(tm.entries()), how: "TypedMap.entries()" };
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
  if (tm) {
    const c = tm.entriesColumnar();
    return { count: c.count, how: "TypedMap.entriesColumnar()" };
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
