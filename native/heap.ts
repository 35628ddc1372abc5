/**
 * The native (malloc) heap: libbcc, LLVM and the addon allocate there, apart
 * from V8's heaps. What %memory reports and gives back.
 */
import { binding, type HeapInfo } from "./binding.js";

export type { HeapInfo };

export function heapInfo(): HeapInfo {
  return binding.heapInfo();
}

/**
 * Returns the malloc heap's free memory to the system, in every arena, once
 * the compiles queued so far have run. The compiler otherwise keeps what it
 * freed through a burst of compiles (each would fault it back in) until 250 ms
 * pass without one, and other threads' arenas keep theirs until glibc's trim
 * threshold is crossed. For %memory --collect and measurements of memory.
 */
export function returnFreedMemory(): Promise<void> {
  return binding.returnFreedMemory();
}
