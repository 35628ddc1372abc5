/** The libbcc binding: compile BCC text, load, attach, read maps and event buffers. */
import { binding } from "./binding.js";

export * from "./types.js";
export { compile } from "./compile.js";
export { openPerfBuffer, openRingBuffer } from "./events.js";
export { parseDiagnostics } from "./diagnostics.js";
export { onlineCpus } from "./cpus.js";

export const libbccVersion: string = binding.libbccVersion;
/** Possible CPUs: the number of slots in a per-CPU map's value. */
export const possibleCpus: number = binding.possibleCpus;
/** Native handles open right now (for leak checks). */
export function openHandles(): number {
  return binding.openHandles();
}
