import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { compile, type Module } from "../../native/index.js";
import { getpriorityTimes, u32 } from "./helpers.js";

let m: Module | undefined;
afterEach(() => m?.close());

const PID = process.pid;

describe("tracepoints", () => {
  it("counts exactly the test's own syscalls", async () => {
    m = await compile(`
BPF_ARRAY(calls, u64, 1);
TRACEPOINT_PROBE(syscalls, sys_enter_getpriority) {
  if ((bpf_get_current_pid_tgid() >> 32) != ${PID}) return 0;
  calls.increment(0);
  return 0;
}`);
    const p = await m.load("tracepoint__syscalls__sys_enter_getpriority", "tracepoint");
    expect(p.id).toBeGreaterThan(0);
    expect(p.tag).toMatch(/^[0-9a-f]{16}$/);
    const a = p.attachTracepoint("syscalls", "sys_enter_getpriority");
    expect(a).toMatchObject({ kind: "tracepoint", target: "syscalls:sys_enter_getpriority" });
    expect(a.fds).toHaveLength(1);
    getpriorityTimes(1234);
    const calls = m.map("calls");
    expect(calls.lookup(u32(0))!.readBigUInt64LE()).toBe(1234n);
    a.close();
    a.close();
    await a.settled;
    getpriorityTimes(10);
    expect(calls.lookup(u32(0))!.readBigUInt64LE()).toBe(1234n);
  });

  it("counts through a raw tracepoint", async () => {
    m = await compile(`
#include <linux/ptrace.h>
BPF_ARRAY(calls, u64, 1);
RAW_TRACEPOINT_PROBE(sys_enter) {
  // args: struct pt_regs *regs, long id
  if ((bpf_get_current_pid_tgid() >> 32) != ${PID}) return 0;
  if (ctx->args[1] != 140) return 0;  // __NR_getpriority on x86_64
  calls.increment(0);
  return 0;
}`);
    const p = await m.load("raw_tracepoint__sys_enter", "raw_tracepoint");
    const a = p.attachRawTracepoint("sys_enter");
    expect(a.kind).toBe("raw_tracepoint");
    getpriorityTimes(321);
    expect(m.map("calls").lookup(u32(0))!.readBigUInt64LE()).toBe(321n);
  });

  it("reports an unknown tracepoint with the kernel's errno", async () => {
    m = await compile("int f(void *ctx) { return 0; }");
    const p = await m.load("f", "tracepoint");
    expect(() => p.attachTracepoint("syscalls", "no_such_event")).toThrow(
      expect.objectContaining({ op: "attach_tracepoint", code: "ENOENT" }));
    // A tracepoint program on a raw tracepoint: the kernel says EINVAL.
    expect(() => p.attachRawTracepoint("sys_enter")).toThrow(
      expect.objectContaining({ op: "attach_raw_tracepoint", code: "EINVAL" }));
  });

  it("fills a log2 histogram from block:block_rq_issue during direct I/O", async () => {
    m = await compile(`
BPF_HISTOGRAM(dist, int, 64);
TRACEPOINT_PROBE(block, block_rq_issue) {
  if (args->bytes == 0) return 0;
  dist.increment(bpf_log2l(args->bytes));
  return 0;
}`);
    const p = await m.load("tracepoint__block__block_rq_issue", "tracepoint");
    p.attachTracepoint("block", "block_rq_issue");
    const dir = mkdtempSync(join(tmpdir(), "ibcc-io-"));
    try {
      execFileSync("dd", ["if=/dev/zero", `of=${join(dir, "f")}`, "oflag=direct", "bs=64k", "count=64"], { stdio: "ignore" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const dist = m.map("dist");
    expect(dist.type).toBe("array");
    const { values, count } = dist.readAll();
    expect(count).toBe(64);
    const buckets = Array.from({ length: count }, (_, i) => values.readBigUInt64LE(i * 8));
    const total = buckets.reduce((a, b) => a + b, 0n);
    console.log("block_rq_issue log2 buckets:", Object.fromEntries(buckets.map((v, i) => [i, v]).filter(([, v]) => v)));
    // 64 writes of 64 KiB: at least that many requests of up to 64 KiB (bucket 17 holds 64 KiB).
    expect(total).toBeGreaterThanOrEqual(64n);
    expect(buckets[17]).toBeGreaterThan(0n);
  });
});
