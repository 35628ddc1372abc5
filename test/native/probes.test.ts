import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BpfError, compile, onlineCpus, type Module } from "../../native/index.js";
import { u32 } from "./helpers.js";

let m: Module | undefined;
afterEach(() => m?.close());

let dir: string;
let bin: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ibcc-uprobe-"));
  bin = join(dir, "target");
  writeFileSync(join(dir, "target.c"), `
#include <stdlib.h>
__attribute__((noinline)) int ibcc_target(int x) { __asm__ volatile(""); return x * 2; }
int main(int argc, char **argv) {
  int n = atoi(argv[1]), s = 0;
  for (int i = 0; i < n; i++) s += ibcc_target(i);
  return s == -1;
}`);
  execFileSync("cc", ["-O1", "-o", bin, join(dir, "target.c")]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("uprobes", () => {
  it("counts calls on entry and return values on exit", async () => {
    m = await compile(`
#include <uapi/linux/ptrace.h>
BPF_ARRAY(calls, u64, 2);
int on_entry(struct pt_regs *ctx) { calls.increment(0); return 0; }
int on_return(struct pt_regs *ctx) { if (PT_REGS_RC(ctx) % 2 == 0) calls.increment(1); return 0; }
`);
    const entry = await m.load("on_entry", "kprobe");
    const ret = await m.load("on_return", "kprobe");
    const a = entry.attachUprobe(bin, "ibcc_target");
    const b = ret.attachUprobe(bin, "ibcc_target", { ret: true });
    expect(a).toMatchObject({ kind: "uprobe", target: `${bin}:ibcc_target` });
    expect(b.kind).toBe("uretprobe");
    const r = spawnSync(bin, ["777"]);
    expect(r.status).toBe(0);
    const calls = m.map("calls");
    expect(calls.lookup(u32(0))!.readBigUInt64LE()).toBe(777n);
    expect(calls.lookup(u32(1))!.readBigUInt64LE()).toBe(777n);
    entry.close();
    spawnSync(bin, ["5"]);
    expect(calls.lookup(u32(0))!.readBigUInt64LE()).toBe(777n);
    expect(calls.lookup(u32(1))!.readBigUInt64LE()).toBe(782n);
  });

  it("attaches by address as well as by name", async () => {
    m = await compile("BPF_ARRAY(calls, u64, 1); int on_entry(struct pt_regs *ctx) { calls.increment(0); return 0; }");
    const p = await m.load("on_entry", "kprobe");
    const line = execFileSync("nm", [bin], { encoding: "utf8" }).split("\n").find((l) => l.endsWith(" ibcc_target"))!;
    const addr = parseInt(line.split(" ")[0], 16);
    const a = p.attachUprobe(bin, addr);
    expect(a.target).toBe(`${bin}:${addr}`);
    spawnSync(bin, ["42"]);
    expect(m.map("calls").lookup(u32(0))!.readBigUInt64LE()).toBe(42n);
  });

  it("names a missing symbol", async () => {
    m = await compile("int f(struct pt_regs *ctx) { return 0; }");
    const p = await m.load("f", "kprobe");
    expect(() => p.attachUprobe(bin, "no_such_function")).toThrow(
      expect.objectContaining({ op: "resolve_symbol", code: "ENOENT", message: expect.stringMatching(/no symbol no_such_function/) }));
  });
});

describe("perf events", () => {
  it("samples the software cpu-clock on every online CPU", async () => {
    m = await compile(`
#include <uapi/linux/bpf_perf_event.h>
BPF_PERCPU_ARRAY(samples, u64, 1);
int on_sample(struct bpf_perf_event_data *ctx) { samples.increment(0); return 0; }
`);
    const p = await m.load("on_sample", "perf_event");
    const a = p.attachPerfEvent({ type: 1 /* PERF_TYPE_SOFTWARE */, config: 0 /* CPU_CLOCK */, sampleFreq: 999 });
    expect(a.fds).toHaveLength(onlineCpus().length);
    const end = Date.now() + 300;
    while (Date.now() < end); // keep one CPU busy
    await new Promise((r) => setTimeout(r, 200));
    a.close();
    const v = m.map("samples").lookup(u32(0))!;
    const perCpu = Array.from({ length: v.length / 8 }, (_, i) => v.readBigUInt64LE(i * 8));
    console.log("cpu-clock samples per CPU in 0.5 s at 999 Hz:", perCpu.map(String).join(", "));
    expect(perCpu.reduce((x, y) => x + y, 0n)).toBeGreaterThan(50n);
  });

  it("rejects an impossible perf event with the kernel's reason", async () => {
    m = await compile("int f(void *ctx) { return 0; }");
    const p = await m.load("f", "perf_event");
    expect(() => p.attachPerfEvent({ type: 1, config: 999, samplePeriod: 1 })).toThrow(BpfError);
  });
});

describe("fentry and LSM programs", () => {
  for (const [src, type] of [
    ["KFUNC_PROBE(do_sys_openat2, int dfd) { return 0; }", "tracing"],
    ["LSM_PROBE(file_open, struct file *file) { return 0; }", "lsm"],
  ] as const) {
    it(`${type}: loads and attaches, or says why this kernel refuses`, async () => {
      m = await compile(src);
      let p;
      try {
        p = await m.load(m.functions[0], type);
      } catch (e) {
        expect(e).toBeInstanceOf(BpfError);
        expect((e as BpfError).message).toMatch(/hint: this kernel refuses/);
        console.log(`${type} programs are refused here:`, (e as Error).message.split("\n")[0]);
        return;
      }
      const a = p.attachTracing();
      expect(a.kind).toBe("tracing");
      a.close();
    });
  }
});
