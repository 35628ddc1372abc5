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
 * 200 cells by default, IBCC_SOAK=full runs 1,000, IBCC_SOAK_CELLS=N any
 * count. A cell costs ~0.3 s of the kernel's CPU, so 1,000 would fit in the
 * test run (about 5 minutes), but the full run's VmRSS still climbs past its
 * bound in some runs (see README.md), so it is not the default yet.
 */
export function soakPlan(env: Record<string, string | undefined>): SoakPlan {
  const asked = Number(env.IBCC_SOAK_CELLS);
  const [cells, why] =
    Number.isInteger(asked) && asked > 0
      ? [asked, "IBCC_SOAK_CELLS"]
      : env.IBCC_SOAK === "full"
        ? [1000, "IBCC_SOAK=full"]
        : [200, "default; IBCC_SOAK=full runs 1,000"];
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
 * 200-cell run, against 2.6 KiB over cells 500-1000 of the full run; 80
 * cells of `1+1` alone grow it by 3.4 MiB, then less and less. What every
 * cell keeps by design (its history entry, its compact source map for
 * tracebacks) is about 1.5 KiB. So the bound is 16 KiB a cell over a full
 * run and 40 KiB over a shorter one: the leak found here (every cell's
 * Program, request and buffers kept by an abort listener) was 23 KiB of V8
 * heap a cell, which retention.test.ts catches directly, besides 8 KiB of
 * buffers.
 *
 * VmRSS moves by tens of MiB in steps that last many cells: V8 grows and
 * shrinks the committed heaps of the main thread and the language worker, and
 * glibc keeps the top of each thread's malloc arena up to its trim threshold,
 * which it raises to as much as 64 MiB once LLVM frees a large block. Over
 * 500 cells (a full run's second half) the slope of 50 samples stays within
 * tens of KiB a cell when nothing leaks (-18 KiB in the run in README.md,
 * whose VmRSS ranged over 100 MiB), so the bound is 64 KiB; over the 100
 * cells of a default run's second half one such step alone is 300 KiB a cell,
 * so the bound there is 1 MiB. Either catches what a native leak of the
 * soak's work would be: a compiled module not freed holds megabytes of LLVM's
 * memory each cell.
 */
export function heapSlopeLimitKiB(cells: number): number {
  return cells >= 1000 ? 16 : 40;
}
export function rssSlopeLimitKiB(cells: number): number {
  return cells >= 1000 ? 64 : 1024;
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
