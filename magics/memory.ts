/**
 * The BPF side's lines of %memory: the native heap that libbcc and LLVM
 * allocate from, and the programs and maps this kernel holds, which live in
 * the Linux kernel's memory (charged to memlock), not in the process's.
 */
import type { MemoryPart } from "../kernel/plugin.js";
import { nativeApi } from "./native-api.js";

const MIB = 1024 * 1024;

export async function bpfMemory(collect: boolean): Promise<MemoryPart[]> {
  const api = await nativeApi();
  if (collect) await api.returnFreedMemory();
  const heap = api.heapInfo();
  const held = api.introspect.heldBy();
  const charged = (infos: ({ memlock: number } | undefined)[]): number => infos.reduce((sum, i) => sum + Math.max(0, i?.memlock ?? 0), 0);
  const programs = charged(held.programs.map((id) => api.introspect.program(id)));
  const maps = charged(held.maps.map((id) => api.introspect.map(id)));
  const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? "" : "s"}; kernel memory (memlock), not in VmRSS`;
  return [
    { part: "native heap in use (malloc)", bytes: heap.inUse, detail: `libbcc, LLVM, the addon and Node; ${(heap.mmapped / MIB).toFixed(1)} MiB in large blocks` },
    {
      part: "native heap free, kept by malloc",
      bytes: heap.free,
      detail: collect ? "still counted free; their whole pages are back with the system" : "%memory --collect gives their whole pages back",
    },
    { part: "BPF programs held", bytes: programs, detail: count(held.programs.length, "program") },
    { part: "BPF maps held", bytes: maps, detail: count(held.maps.length, "map") },
  ];
}
