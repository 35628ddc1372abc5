import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { runBpfBlock } from "../../magics/bpf-cell.js";
import { detachAll } from "../../magics/programs.js";
import type { Program } from "../../magics/program.js";
import { testContext } from "./context.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ibcc-exec-"));
});
afterAll(() => {
  detachAll();
  rmSync(dir, { recursive: true, force: true });
});

const EXECSNOOP = `
struct exec_t { u32 pid; u32 ppid; char comm[16]; };
BPF_RINGBUF_OUTPUT(execs, 16);
TRACEPOINT_PROBE(sched, sched_process_exec) {
  struct exec_t e = {};
  e.pid = bpf_get_current_pid_tgid() >> 32;
  struct task_struct *t = (struct task_struct *)bpf_get_current_task();
  e.ppid = BTF_READ(t, task_struct, real_parent->tgid);
  bpf_get_current_comm(&e.comm, sizeof(e.comm));
  execs.ringbuf_output(&e, sizeof(e), 0);
  return 0;
}`;

const TGID = `#include <linux/sched.h>
BPF_ARRAY(seen, u64, 2);
TRACEPOINT_PROBE(syscalls, sys_enter_getppid) {
  if ((bpf_get_current_pid_tgid() >> 32) != TARGET) return 0;
  struct task_struct *t = (struct task_struct *)bpf_get_current_task();
  int i0 = 0, i1 = 1;
  u64 btf = BTF_READ(t, task_struct, tgid);
  u64 hdr = t->tgid;
  seen.update(&i0, &btf);
  seen.update(&i1, &hdr);
  return 0;
}`;

describe("event streams", () => {
  it("delivers exactly the execs the test started, decoded, through a ring buffer", async () => {
    const ctx = testContext();
    const prog = (await runBpfBlock({ args: "snoop", body: EXECSNOOP, headerLine: 1 }, ctx)) as Program;
    expect(ctx.globals.get("snoop")?.type).toBe("BpfProgram<{ execs: BpfTable<never, never> }, { execs: { pid: number; ppid: number; comm: string } }>");
    const name = `ibx${process.pid % 100000}`;
    const bin = join(dir, name);
    copyFileSync("/bin/true", bin);
    const N = 7;
    const stream = prog.events<{ pid: number; ppid: number; comm: string }>("execs", { for: 20_000 });
    const seen: { pid: number; ppid: number; comm: string }[] = [];
    // The reader opens on the first next(): ask for it, then start the
    // programs (on a quiet machine no other exec would wake the stream).
    const iter = stream[Symbol.asyncIterator]();
    const first = iter.next();
    await new Promise((r) => setTimeout(r, 200));
    for (let i = 0; i < N; i++) execFileSync(bin);
    for (let r = await first; !r.done; r = await iter.next()) {
      if (r.value.comm === name) seen.push(r.value);
      if (seen.length === N) {
        await iter.return?.();
        break;
      }
    }
    expect(stream.closed).toBe(true);
    console.log(`execs: ${seen.length} of ${N} seen, stream received ${stream.received}, lost ${stream.lost}`);
    expect(seen.length).toBe(N);
    expect(new Set(seen.map((e) => e.pid)).size).toBe(N);
    // execFileSync forks from this process, so BTF's real_parent->tgid is our pid
    expect(seen.every((e) => e.ppid === process.pid)).toBe(true);
  });

  it("ends an event stream cleanly when the cell is interrupted", async () => {
    const ctx = testContext();
    const prog = (await runBpfBlock({ args: "snoop2", body: EXECSNOOP, headerLine: 1 }, ctx)) as Program;
    const stream = prog.events("execs", { io: ctx });
    setTimeout(() => ctx.interrupt(), 300);
    const t0 = Date.now();
    let n = 0;
    for await (const _ of stream) n++;
    console.log(`interrupted stream ended after ${Date.now() - t0} ms with ${n} events`);
    expect(stream.closed).toBe(true);
    prog.close();
  });

  it("shows a live table of the latest events", async () => {
    const ctx = testContext();
    const prog = (await runBpfBlock({ args: "snoop3", body: EXECSNOOP, headerLine: 1 }, ctx)) as Program;
    // a window wide enough that other processes exec-ing meanwhile do not push ours out
    const live = prog.events("execs", { io: ctx }).live({ every: 100, for: 1500, rows: 1000, io: ctx });
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 3; i++) execFileSync("/bin/true");
    const total = await live;
    const last = ctx.updates.at(-1) as { [k: symbol]: () => { data: Record<string, string> } };
    const shown = last[Symbol.for("Jupyter.display")]().data["text/plain"];
    console.log(`live events: ${total} seen, ${ctx.updates.length} updates`);
    expect(total).toBeGreaterThanOrEqual(3);
    expect(shown).toMatch(/execs: \d+ received, 0 lost/);
    expect(shown).toMatch(/ring buffer drops are not counted by the kernel; peak fill \d+%/);
    expect(shown).toMatch(/\btrue\b/);
    prog.close();
  });

  it("reads the current task's tgid through BTF; the header-based read may differ", async () => {
    const ctx = testContext();
    const prog = (await runBpfBlock({ args: "tg --cflags -DTARGET=" + process.pid, body: TGID, headerLine: 1 }, ctx)) as Program;
    void process.ppid; // getppid(2) from this process
    const [btf, hdr] = [prog.table("seen").get(0), prog.table("seen").get(1)] as bigint[];
    console.log(`pid ${process.pid}: BTF_READ tgid = ${btf}, header task->tgid = ${hdr}`);
    expect(btf).toBe(BigInt(process.pid));
    prog.close();
  });

  it("watches a histogram as a latency heat map and a counter as a line over time", async () => {
    const ctx = testContext();
    const prog = (await runBpfBlock(
      { args: "hw", body: "BPF_HISTOGRAM(dist);\nBPF_ARRAY(n, u64, 1);\nTRACEPOINT_PROBE(raw_syscalls, sys_enter) { int z = 0; n.increment(z); dist.increment(bpf_log2l(args->id)); return 0; }", headerLine: 1 },
      ctx,
    )) as Program;
    const DISPLAY = Symbol.for("Jupyter.display");
    const bundle = async (v: unknown) => (await (v as { [k: symbol]: () => Promise<{ data: Record<string, unknown>; metadata: Record<string, any> }> })[DISPLAY]());
    const heat = await prog.table("dist").watch({ view: "heatmap", every: 150, for: 800, io: ctx, histogram: { unit: "syscall nr" } });
    const lastHeat = await bundle(ctx.updates[ctx.updates.length - 1]);
    const heatSpec = lastHeat.data["application/vnd.vegalite.v5+json"] as { data: { values: unknown[] } };
    console.log(`heat map watch: ${heat} frames, ${heatSpec.data.values.length} cells in the last one`);
    expect(heat).toBeGreaterThan(2);
    expect(heatSpec.data.values.length).toBeGreaterThan(0);
    expect(lastHeat.metadata.ibcc.view).toBe("heatmap");
    expect(lastHeat.data["image/svg+xml"]).toBeDefined();
    const ctx2 = testContext();
    const line = await prog.table("n").watch({ view: "line", metric: "rate", every: 150, for: 800, io: ctx2 });
    const lastLine = await bundle(ctx2.updates[ctx2.updates.length - 1]);
    console.log(`rate watch: ${line} frames; text ${String(lastLine.data["text/plain"]).split("\n").slice(0, 3).join(" | ")}`);
    expect(lastLine.metadata.ibcc.view).toBe("timeseries");
    expect(String(lastLine.data["text/plain"])).toMatch(/per second/);
    const ctx3 = testContext();
    await prog.table("dist").watch({ view: "line", metric: "p99", every: 150, for: 500, io: ctx3 });
    expect(String((await bundle(ctx3.updates[ctx3.updates.length - 1])).data["text/plain"])).toMatch(/p99/);
    prog.close();
  });

  it("watches a table in place until interrupted", async () => {
    const ctx = testContext();
    const prog = (await runBpfBlock({ args: "w", body: "BPF_ARRAY(n, u64, 1);\nTRACEPOINT_PROBE(raw_syscalls, sys_enter) { int z = 0; n.increment(z); return 0; }", headerLine: 1 }, ctx)) as Program;
    setTimeout(() => ctx.interrupt(), 700);
    const frames = await prog.table("n").watch({ every: 100, io: ctx });
    console.log(`watch drew ${frames} frames before the interrupt`);
    expect(frames).toBeGreaterThan(1);
    expect(ctx.displays.length).toBe(1);
    expect(ctx.updates.length).toBe(frames - 1);
    // a watch whose program is detached meanwhile ends and says why
    const ctx2 = testContext();
    setTimeout(() => prog.close(), 400);
    const more = await prog.table("n").watch({ every: 100, io: ctx2 });
    expect(more).toBeGreaterThan(1);
    expect(ctx2.streams.map((s) => s.text).join("")).toMatch(/watch stopped: n: its program was closed/);
  });
});
