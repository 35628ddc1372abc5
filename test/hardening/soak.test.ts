/**
 * Soak: many cells of compile, attach, read and detach in one kernel. The fd
 * count ends where it started, no program is left, and memory is flat: the
 * kernel's V8 heap after a full GC (where a JS leak shows undisturbed) and its
 * resident memory (where a native one shows). Cell count: see soak-plan.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient } from "../support/kernel-client.js";
import { fdCount, programsOf, rssKiB } from "./proc.js";
import { cpuSeconds, HEAP_CELL, heapSlopeLimitKiB, rssSlopeLimitKiB, slope, soakPlan } from "./soak-plan.js";

const plan = soakPlan(process.env);
const RSS_SLOPE_LIMIT_KIB = rssSlopeLimitKiB(plan.cells);
const HEAP_SLOPE_LIMIT_KIB = heapSlopeLimitKiB(plan.cells);
const CELL = `%%bpf soak
BPF_ARRAY(calls, u64, 1);
TRACEPOINT_PROBE(syscalls, sys_enter_getppid) { u32 k = 0; u64 *v = calls.lookup(&k); if (v) __sync_fetch_and_add(v, 1); return 0; }
%%ts
const seen = soak.table("calls").get(0);
%detach soak
String(seen !== undefined)`;

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
});
afterAll(async () => {
  await k?.close();
});

interface Sample {
  cell: number;
  rss: number;
  fds: number;
  progs: number;
  /** KiB of V8 heap in use after a full GC; only on heap samples. */
  heap?: number;
}

describe("soak", () => {
  it(`${plan.cells} cells of compile, attach, read, detach: memory and fds flat, nothing left`, async () => {
    console.log(`soak: ${plan.cells} cells (${plan.why}) after ${plan.warmUp} warm-up cells`);
    const pid = k.proc.pid!;
    const run = async (code: string): Promise<string> => {
      const x = await k.execute(code, {}, 60_000);
      if (x.reply.content.status !== "ok") throw new Error(`soak cell failed: ${x.reply.content.ename}: ${x.reply.content.evalue}`);
      return x.outputs.map((m) => (m.header.msg_type === "stream" ? (m.content.text as string) : ((m.content.data?.["text/plain"] as string | undefined) ?? ""))).join("");
    };
    const heapKiB = async (): Promise<number> => Number(await run(HEAP_CELL)) / 1024;
    for (let i = 0; i < plan.warmUp; i++) await run(CELL);
    const samples: Sample[] = [];
    const breakdown = new Map<number, string>();
    const sample = async (cell: number, withHeap: boolean): Promise<void> => {
      const heap = withHeap ? await heapKiB() : undefined;
      // Resident memory without garbage: V8 collects only at limits of its own,
      // and the language worker's heap alone swung by 200 MiB between them.
      const memory = await run("%memory --collect");
      if (withHeap) breakdown.set(cell, memory);
      samples.push({ cell, rss: rssKiB(pid), fds: fdCount(pid), progs: programsOf(pid).length, heap });
    };
    await sample(0, true);
    const cpu0 = cpuSeconds(pid);
    const t0 = performance.now();
    for (let i = 1; i <= plan.cells; i++) {
      await run(CELL);
      if (i % plan.rssEvery === 0 || i === plan.cells) await sample(i, i % plan.heapEvery === 0 || i === plan.cells);
    }
    const wall = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds(pid) - cpu0;

    const mib = (kib: number): string => (kib / 1024).toFixed(1);
    const at = (cell: number): Sample =>
      samples.filter((s) => s.heap !== undefined).reduce((best, s) => (Math.abs(s.cell - cell) < Math.abs(best.cell - cell) ? s : best));
    const [start, middle, end] = [at(0), at(plan.cells / 2), at(plan.cells)];
    for (const s of [start, middle, end]) {
      console.log(`soak cell ${String(s.cell).padStart(4)}: VmRSS ${mib(s.rss)} MiB, V8 heap after GC ${mib(s.heap!)} MiB, fds ${s.fds}, programs held ${s.progs}`);
    }
    for (const s of [start, middle, end]) console.log(`soak: %memory --collect at cell ${s.cell}:\n${breakdown.get(s.cell) ?? ""}`);
    // Slopes over the second half: the first still has V8's code and caches settling.
    const late = samples.filter((s) => s.cell >= plan.cells / 2);
    const rssSlope = slope(late.map((s) => [s.cell, s.rss]));
    const heapSlope = slope(late.filter((s) => s.heap !== undefined).map((s) => [s.cell, s.heap!]));
    const rss = samples.map((s) => s.rss);
    console.log(`soak: VmRSS (MiB) every ${plan.rssEvery} cells: ${rss.map((r) => (r / 1024).toFixed(0)).join(" ")}`);
    console.log(`soak: VmRSS min ${mib(Math.min(...rss))}, max ${mib(Math.max(...rss))} MiB; V8 heap after GC (MiB) ${samples.filter((s) => s.heap !== undefined).map((s) => mib(s.heap!)).join(" ")}`);
    console.log(`soak: slopes over the second half: VmRSS ${rssSlope.toFixed(1)} KiB/cell (limit ${RSS_SLOPE_LIMIT_KIB}), V8 heap ${heapSlope.toFixed(2)} KiB/cell (limit ${HEAP_SLOPE_LIMIT_KIB})`);
    console.log(`soak: ${plan.cells} cells in ${wall.toFixed(1)} s (${((wall * 1000) / plan.cells).toFixed(0)} ms/cell); kernel CPU ${((cpu * 1000) / plan.cells).toFixed(0)} ms/cell`);

    expect(end.fds).toBe(start.fds);
    expect(end.progs).toBe(0);
    // Short runs (IBCC_SOAK_CELLS below 100) are for trying the cell out: too few samples for a slope.
    if (plan.cells >= 100) {
      expect(heapSlope).toBeLessThan(HEAP_SLOPE_LIMIT_KIB);
      expect(rssSlope).toBeLessThan(RSS_SLOPE_LIMIT_KIB);
    }
  }, 3_600_000);
});
