/**
 * %memory [--collect]: what the kernel process holds, part by part. With
 * --collect it first collects garbage in both of its V8 heaps (the kernel's
 * and the language worker's) and has plugins give back what they keep, then
 * shows before and after. A long run of cells leaves garbage V8 collects only
 * when it reaches a limit of its own choosing; this is the figure without it.
 */
import { readFileSync } from "node:fs";
import { getHeapStatistics } from "node:v8";
import { displayable } from "../display/bundle.js";
import { records } from "../display/info.js";
import { collectGarbage } from "../engine/collect-garbage.js";
import type { HeapFigures } from "../engine/language-messages.js";
import { CellError, type KernelPlugin, type LineMagic, type MemoryPart } from "../plugin.js";

export interface MemorySources {
  /** The language worker's heap, collected first when asked; undefined when it is not running. */
  worker(collect: boolean): Promise<HeapFigures | undefined>;
  plugins(): KernelPlugin[];
}

const MIB = 1024 * 1024;
/** MiB to 0.1, and to 0.01 below 10 MiB, where BPF maps and programs usually are. */
const mib = (bytes: number): number => {
  const scale = bytes < 10 * MIB ? 100 : 10;
  return Math.round((bytes / MIB) * scale) / scale;
};

/** VmRSS and VmHWM of this process, in bytes. */
function resident(): { now: number; peak: number } {
  const status = readFileSync("/proc/self/status", "utf8");
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s*(\\d+)`, "m").exec(status)?.[1] ?? 0) * 1024;
  return { now: kib("VmRSS"), peak: kib("VmHWM") };
}

async function measure(sources: MemorySources, collect: boolean): Promise<MemoryPart[]> {
  // Order matters when collecting: V8's collections free the native memory
  // behind ArrayBuffers and Buffers, which the plugins' return then gives back.
  if (collect) collectGarbage();
  const worker = await sources.worker(collect);
  const pluginParts: MemoryPart[] = [];
  for (const p of sources.plugins()) {
    try {
      pluginParts.push(...((await p.memory?.(collect)) ?? []));
    } catch (err) {
      pluginParts.push({ part: `${p.name}: unavailable`, bytes: 0, detail: (err as Error)?.message ?? String(err) });
    }
  }
  const heap = getHeapStatistics();
  const rss = resident();
  const parts: MemoryPart[] = [
    { part: "resident (VmRSS)", bytes: rss.now, detail: `peak ${mib(rss.peak)} MiB (VmHWM)` },
    { part: "kernel V8 heap", bytes: heap.used_heap_size, detail: `${mib(heap.total_heap_size)} MiB committed` },
    worker
      ? { part: "language worker V8 heap", bytes: worker.used, detail: `${mib(worker.committed)} MiB committed` }
      : { part: "language worker V8 heap", bytes: 0, detail: "not running (starts on the first completion, inspection or type check; stops when idle)" },
    { part: "ArrayBuffers and Buffers", bytes: process.memoryUsage().arrayBuffers, detail: "outside the V8 heaps" },
  ];
  return parts.concat(pluginParts);
}

export function memoryMagic(sources: MemorySources): LineMagic {
  return {
    kind: "line",
    name: "memory",
    help: "What the kernel process holds (resident, V8 heaps, native heap, BPF objects): %memory [--collect]",
    async run(args) {
      const flag = args.trim();
      if (flag !== "" && flag !== "--collect") throw new CellError("UsageError", `%memory takes no argument but --collect (got: ${flag})`);
      if (!flag) {
        const now = await measure(sources, false);
        return displayable(records(now.map((p) => ({ part: p.part, MiB: mib(p.bytes), detail: p.detail ?? "" })), { title: "memory" }).data);
      }
      const before = await measure(sources, false);
      const after = await measure(sources, true);
      const rows = after.map((p) => {
        const was = before.find((b) => b.part === p.part);
        return { part: p.part, "before MiB": was ? mib(was.bytes) : undefined, "after MiB": mib(p.bytes), detail: p.detail ?? "" };
      });
      return displayable(records(rows, { title: "memory, before and after collecting" }).data);
    },
  };
}
