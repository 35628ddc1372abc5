/** The libbcc binding: compile BCC text, load, attach, read maps and event buffers. */
import { binding } from "./binding.js";

export * from "./types.js";
export { compile, prepareCompiler } from "./compile.js";
export { openPerfBuffer, openRingBuffer, unpack, decodePacked } from "./events.js";
export { parseDiagnostics } from "./diagnostics.js";
export { onlineCpus } from "./cpus.js";
export { openHandleOrigins } from "./owner.js";
export { settled, pendingCloses } from "./settle.js";
export { heapInfo, returnFreedMemory, type HeapInfo } from "./heap.js";
// Typed values over raw map bytes, symbols, features and introspection of what is loaded.
export * from "./codec.js";
export * from "./codec-event.js";
export * from "./typed-map.js";
export * from "./features.js";
export * from "./symbols.js";
// Its names (program, map, listMaps, ...) read best qualified: introspect.listPrograms().
export * as introspect from "./introspect.js";

export const libbccVersion: string = binding.libbccVersion;
/** Possible CPUs: the number of slots in a per-CPU map's value. */
export const possibleCpus: number = binding.possibleCpus;
/** Native handles open right now (for leak checks). */
export function openHandles(): number {
  return binding.openHandles();
}
export { openUsdt, UsdtProbes, type UsdtTarget, type UsdtLocation } from "./usdt.js";
