import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BpfError, compile, compileEventCodec, decodePacked, openPerfBuffer, openRingBuffer, type Module } from "../../native/index.js";
import { getpriorityTimes, until } from "./helpers.js";

let m: Module | undefined;
afterEach(() => m?.close());

const PID = process.pid;
const N = 5000;

// Each event carries a sequence number, so the test sees that every one arrived once.
const source = (output: string) => `
struct event { u64 seq; u32 pid; char comm[16]; };
${output}
BPF_ARRAY(seq, u64, 1);
TRACEPOINT_PROBE(syscalls, sys_enter_getpriority) {
  if ((bpf_get_current_pid_tgid() >> 32) != ${PID}) return 0;
  int zero = 0;
  u64 *s = seq.lookup(&zero);
  if (!s) return 0;
  struct event e = {};
  e.seq = __sync_fetch_and_add(s, 1);
  e.pid = ${PID};
  bpf_get_current_comm(&e.comm, sizeof(e.comm));
  SUBMIT;
  return 0;
}`;

function checkSequence(events: Buffer[]): void {
  const seen = events.map((e) => Number(e.readBigUInt64LE(0))).sort((a, b) => a - b);
  expect(seen).toEqual(Array.from({ length: N }, (_, i) => i));
  expect(events.every((e) => e.readUInt32LE(8) === PID)).toBe(true);
}

describe("event buffers", () => {
  it("a ring buffer delivers exactly the N events the test caused", async () => {
    m = await compile(source("BPF_RINGBUF_OUTPUT(events, 256);").replace("SUBMIT", "events.ringbuf_output(&e, sizeof(e), 0)"));
    const p = await m.load("tracepoint__syscalls__sys_enter_getpriority", "tracepoint");
    const events: Buffer[] = [];
    let batches = 0;
    const reader = openRingBuffer(m.map("events"), (batch, lost) => {
      batches++;
      expect(lost).toBe(0);
      events.push(...batch);
    });
    p.attachTracepoint("syscalls", "sys_enter_getpriority");
    // In slices, letting the loop run between them, as a notebook would.
    for (let i = 0; i < N; i += 500) {
      getpriorityTimes(500);
      await new Promise((r) => setImmediate(r));
    }
    await until(() => events.length >= N);
    await new Promise((r) => setTimeout(r, 50));
    console.log(`ring buffer: ${events.length} events in ${batches} batches`);
    expect(events.length).toBe(N);
    expect(reader.received).toBe(N);
    expect(reader.lost).toBe(0);
    expect(events[0].subarray(12, 28).toString("latin1").replace(/\0.*$/s, "")).toBe(
      (await import("node:fs")).readFileSync("/proc/self/comm", "utf8").trim());
    checkSequence(events);
    reader.close();
    reader.close();
    expect(reader.closed).toBe(true);
  });

  it("a perf buffer delivers exactly the N events the test caused, none lost", async () => {
    m = await compile(source("BPF_PERF_OUTPUT(events);").replace("SUBMIT", "events.perf_submit(args, &e, sizeof(e))"));
    const p = await m.load("tracepoint__syscalls__sys_enter_getpriority", "tracepoint");
    const events: Buffer[] = [];
    let batches = 0;
    let lost = 0;
    const reader = openPerfBuffer(m.map("events"), (batch, l) => {
      batches++;
      lost += l;
      events.push(...batch);
    }, { pageCount: 64 });
    p.attachTracepoint("syscalls", "sys_enter_getpriority");
    for (let i = 0; i < N; i += 500) {
      getpriorityTimes(500);
      await new Promise((r) => setImmediate(r));
    }
    await until(() => events.length >= N);
    await new Promise((r) => setTimeout(r, 50));
    console.log(`perf buffer: ${events.length} events in ${batches} batches, ${lost} lost`);
    expect(lost).toBe(0);
    expect(reader.lost).toBe(0);
    expect(events.length).toBe(N);
    // perf samples are padded to 8 bytes: the struct is 32 bytes, as the program wrote it.
    expect(events[0].length).toBeGreaterThanOrEqual(32);
    checkSequence(events);
    m.close();  // closes the reader with the module
    expect(reader.closed).toBe(true);
  });

  it("onPacked gets each wake-up as one Buffer and offsets, decoded in one pass with the event fields", async () => {
    m = await compile(source("BPF_PERF_OUTPUT(events);").replace("SUBMIT", "events.perf_submit(args, &e, sizeof(e))"));
    const p = await m.load("tracepoint__syscalls__sys_enter_getpriority", "tracepoint");
    const map = m.map("events");
    expect(map.eventFields).toEqual(["seq#u64", "pid#u32", "comm#char[16]"]);
    const codec = compileEventCodec<{ seq: bigint; pid: number; comm: string }>(map.eventFields);
    const seqs: number[] = [];
    let calls = 0;
    const reader = openPerfBuffer(map, {
      onPacked: (data, offsets, lost) => {
        calls++;
        expect(lost).toBe(0);
        expect(offsets[0]).toBe(0);
        expect(offsets[offsets.length - 1]).toBe(data.length);
        for (const e of decodePacked(codec, data, offsets)) {
          expect(e.pid).toBe(PID);
          seqs.push(Number(e.seq));
        }
      },
    }, { wakeupEvents: 1 });
    p.attachTracepoint("syscalls", "sys_enter_getpriority");
    getpriorityTimes(N);
    await until(() => seqs.length >= N);
    console.log(`packed perf buffer: ${seqs.length} events in ${calls} calls`);
    expect(seqs.sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(reader.received).toBe(N);
    reader.close();
  });

  it("with the default wake-up threshold, a few events still arrive (flushed by the timer)", async () => {
    m = await compile(source("BPF_PERF_OUTPUT(events);").replace("SUBMIT", "events.perf_submit(args, &e, sizeof(e))"));
    const p = await m.load("tracepoint__syscalls__sys_enter_getpriority", "tracepoint");
    let got = 0;
    const reader = openPerfBuffer(m.map("events"), (batch) => { got += batch.length; });
    p.attachTracepoint("syscalls", "sys_enter_getpriority");
    getpriorityTimes(3);  // far below the 64 events that would wake the reader
    const t0 = Date.now();
    await until(() => got >= 3);
    console.log(`perf buffer: 3 events below the wake-up threshold arrived after ${Date.now() - t0} ms`);
    expect(got).toBe(3);
    expect(() => openPerfBuffer(m!.map("events"), () => {}, { wakeupEvents: 0 })).toThrow(/wakeupEvents/);
    reader.close();
  });

  it("counts perf buffer losses when the buffer overflows", async () => {
    // Losses are counted per CPU buffer and reported with that buffer's next
    // sample, so the workload runs pinned to CPU 0, in a helper process of its own.
    const dir = mkdtempSync(join(tmpdir(), "ibcc-gp-"));
    try {
      const bin = join(dir, "ibcc_gp");
      writeFileSync(`${bin}.c`, `#include <stdlib.h>
#include <sys/resource.h>
int main(int argc, char **argv) { for (int i = atoi(argv[1]); i > 0; i--) getpriority(PRIO_PROCESS, 0); return 0; }`);
      execFileSync("cc", ["-O1", "-o", bin, `${bin}.c`]);
      m = await compile(`
BPF_PERF_OUTPUT(events);
TRACEPOINT_PROBE(syscalls, sys_enter_getpriority) {
  char comm[16];
  bpf_get_current_comm(&comm, sizeof(comm));
  if (comm[0] != 'i' || comm[1] != 'b' || comm[2] != 'c' || comm[3] != 'c' || comm[4] != '_' || comm[5] != 'g') return 0;
  u64 x = 1;
  events.perf_submit(args, &x, sizeof(x));
  return 0;
}`);
      const p = await m.load("tracepoint__syscalls__sys_enter_getpriority", "tracepoint");
      let got = 0;
      const reader = openPerfBuffer(m.map("events"), (batch) => { got += batch.length; }, { pageCount: 1 });
      p.attachTracepoint("syscalls", "sys_enter_getpriority");
      execFileSync("taskset", ["-c", "0", bin, "20000"]);  // one page cannot hold them
      await until(() => got > 0);
      // Each follow-up run gives the kernel room to write its lost record.
      let total = 20000;
      for (let i = 0; i < 5 && reader.lost === 0; i++) {
        execFileSync("taskset", ["-c", "0", bin, "10"]);
        total += 10;
        await until(() => reader.lost > 0, 500);
      }
      await new Promise((r) => setTimeout(r, 50));
      console.log(`overflow: ${total} sent, ${got} received, ${reader.lost} lost`);
      expect(reader.lost).toBeGreaterThan(0);
      expect(got + reader.lost).toBeLessThanOrEqual(total);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a reader may close itself from its own callback", async () => {
    m = await compile(source("BPF_RINGBUF_OUTPUT(events, 8);").replace("SUBMIT", "events.ringbuf_output(&e, sizeof(e), 0)"));
    const p = await m.load("tracepoint__syscalls__sys_enter_getpriority", "tracepoint");
    let calls = 0;
    const reader = openRingBuffer(m.map("events"), () => {
      calls++;
      reader.close();
    });
    p.attachTracepoint("syscalls", "sys_enter_getpriority");
    getpriorityTimes(3);
    await until(() => calls > 0);
    getpriorityTimes(3);
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toBe(1);
    expect(reader.closed).toBe(true);
  });

  it("refuses a map of the wrong type", async () => {
    m = await compile("BPF_HASH(h, u32, u32); BPF_PERF_OUTPUT(events); int f(void *c) { return 0; }");
    expect(() => openRingBuffer(m!.map("h"), () => {})).toThrow(BpfError);
    expect(() => openPerfBuffer(m!.map("events"), () => {}, { pageCount: 3 })).toThrow(/power of two/);
  });
});
