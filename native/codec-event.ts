/**
 * Codecs for perf and ring buffer events. BCC describes an event map's records
 * differently from other maps: not with a JSON description but with the fields
 * of the struct it saw passed to perf_submit / ringbuf_output, one "name#type"
 * string each ("pid#u32", "comm#char[16]", "k#enum kind", "s#char *"), laid out
 * as C lays out that struct (BCC's Python builds a ctypes Structure from them).
 */
import { Codec, CodecError, compileCodec } from "./codec.js";
import type { Module } from "./types.js";

/** The codec of a record described by BCC's "name#type" field strings. */
export function compileEventCodec<T = Record<string, unknown>>(fields: readonly string[]): Codec<T> {
  if (fields.length === 0) throw new CodecError("an event with no fields: BCC saw no struct passed to perf_submit or ringbuf_output");
  const desc = fields.map((f) => {
    const hash = f.lastIndexOf("#");
    if (hash <= 0) throw new CodecError(`cannot read event field "${f}" (expected name#type)`);
    const name = f.slice(0, hash);
    const type = f.slice(hash + 1).trim();
    const arr = /^(.*?)\s*\[(\d+)\]$/.exec(type);
    return arr ? [name, arr[1], [Number(arr[2])]] : [name, type];
  });
  return compileCodec<T>(["event", desc, "struct"]);
}

/**
 * The event fields libbcc recorded for a perf or ring buffer map of a module;
 * empty when the program never submits a struct to it.
 */
export function eventFields(mod: Module, mapName: string): string[] {
  return mod.map(mapName).eventFields;
}

/** The codec of the events a module submits to one map, or undefined when BCC saw none. */
export function eventCodec<T = Record<string, unknown>>(mod: Module, mapName: string): Codec<T> | undefined {
  const fields = eventFields(mod, mapName);
  return fields.length ? compileEventCodec<T>(fields) : undefined;
}
