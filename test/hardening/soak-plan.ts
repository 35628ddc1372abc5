/**
 * The soak's plan (how many cells, how often to sample), its bounds and the
 * arithmetic it uses, apart from the kernel it drives.
 */
import { readFileSync } from "node:fs";

export interface SoakPlan {
  cells: number;
  warmUp: number;
  /** VmRSS, fds and programs every this many cells (a /proc read, no cell). */
  rssEvery: number;
  /** The V8 heap after a full GC every this many cells (one extra cell each). */
  heapEvery: number;
  why: string;
}

/**
 * 1,000 cells by default (the figure; about 6 minutes, a cell costs
 * ~0.3 s of the kernel's CPU and each sample's collection ~0.4 s more),
 * IBCC_SOAK=short runs 200, IBCC_SOAK_CELLS=N any count.
 */
export function soakPlan(env: Record<string, string | undefined>): SoakPlan {
  const asked = Number(env.IBCC_SOAK_CELLS);
  const [cells, why] =
    Number.isInteger(asked) && asked > 0
      ? [asked, "IBCC_SOAK_CELLS"]
      : env.IBCC_SOAK === "short"
        ? [200, "IBCC_SOAK=short"]
        : [1000, "default; IBCC_SOAK=short runs 200"];
  return {
    cells,
    warmUp: 20,
    rssEvery: Math.max(1, Math.round(cells / 100)),
    heapEvery: Math.max(1, Math.round(cells / 20)),
    why,
  };
}

/**
 * Prints the kernel's V8 heap in use, in bytes, after a full collection.
 * gc() comes from a context made once --expose-gc is set (the flag applies to
 * contexts created after it); that context is made once and kept, as a new
 * one each time costs about 100 KiB of heap a sample that a GC does not get back.
 */
export const HEAP_CELL = `import soakV8 from "node:v8";
import soakVm from "node:vm";
const soakKept = globalThis as { soakGc?: () => void };
if (!soakKept.soakGc) {
  soakV8.setFlagsFromString("--expose-gc");
  soakKept.soakGc = soakVm.runInNewContext("gc");
}
soakKept.soakGc!();
soakKept.soakGc!();
console.log(process.memoryUsage().heapUsed)`;

/**
 * Bounds on the least-squares slope over the second half of the run.
 *
 * V8 heap after a full GC: garbage is gone, so what remains is what the
 * kernel keeps. For its first few hundred cells the kernel's own code still
 * settles (optimized code, feedback): 14 KiB a cell over cells 100-200 of a
 * 200-cell run, against 2.6-5 KiB over cells 500-1000 of full runs; 80
 * cells of `1+1` alone grow it by 3.4 MiB, then less and less. What every
 * cell keeps by design (its history entry, its compact source map for
 * tracebacks) is about 1.5 KiB. So the bound is 16 KiB a cell over a full
 * run and 40 KiB over a shorter one: the leak found here (every cell's
 * Program, request and buffers kept by an abort listener) was 23 KiB of V8
 * heap a cell, which retention.test.ts catches directly, besides 8 KiB of
 * buffers.
 *
 * VmRSS is sampled right after `%memory --collect`: a full collection in
 * both V8 heaps and malloc's free pages given back. Read without it, VmRSS
 * swung by up to 220 MiB: in a burst of cells V8 lets the language worker's
 * garbage grow to a limit of its own choosing (~290 MiB of heap for ~75 MiB
 * live) before collecting, and one run's second half fell inside such a
 * climb (304 KiB a cell, no leak). Collected, a full run's samples stay
 * within a few MiB of a line: 11 and 18 KiB a cell over the second half in
 * two runs. That is V8's, not malloc's (native heap in use 7.2 -> 7.5 MiB
 * over 1,000 cells): the kernel's heap after GC grows ~5 KiB a cell (cells'
 * bytecode and optimized code, history and source maps: a heap snapshot
 * diff over 300 cells) and the worker's ~3 KiB (the declarations cells
 * made), and V8's committed memory follows them in steps. The bound is
 * 64 KiB a cell over a full run and 256 KiB over a shorter one, whose first
 * 100 cells still settle (~110 KiB a cell). Either catches a native leak of
 * the soak's work: a compiled module not freed holds megabytes of LLVM's
 * memory each cell.
 */
export function heapSlopeLimitKiB(cells: number): number {
  return cells >= 1000 ? 16 : 40;
}
export function rssSlopeLimitKiB(cells: number): number {
  return cells >= 1000 ? 64 : 256;
}

/** Least-squares slope of y over x. */
export function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxy / sxx;
}

/** User plus system CPU seconds a process has used (/proc/PID/stat). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command; in clock ticks.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
