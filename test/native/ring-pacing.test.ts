// Ring buffers under a busy producer: paced reads in big batches, every event
// once, and a full ring reported by its fill level (the kernel counts no drops).
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { compile, openRingBuffer, type Module } from "../../native/index.js";
import { getpriorityTimes, until } from "./helpers.js";

let m: Module | undefined;
afterEach(() => m?.close());

let dir = "";
let producer = "";
beforeAll(() => {
  // A process of its own, so the producer runs while the event loop reads.
  dir = mkdtempSync(join(tmpdir(), "ibcc-ring-"));
  producer = join(dir, "ibcc_rp");
  writeFileSync(`${producer}.c`, `#include <stdlib.h>
#include <sys/resource.h>
int main(int argc, char **argv) { for (int i = atoi(argv[1]); i > 0; i--) getpriority(PRIO_PROCESS, 0); return 0; }`);
  execFileSync("cc", ["-O1", "-o", producer, `${producer}.c`]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// FILTER picks the producer's calls; failed submits are counted in `dropped`.
const source = (pages: number, filter: string) => `
struct event { u64 seq; u32 pid; char comm[16]; };
BPF_RINGBUF_OUTPUT(events, ${pages});
BPF_ARRAY(seq, u64, 1);
BPF_ARRAY(dropped, u64, 1);
TRACEPOINT_PROBE(syscalls, sys_enter_getpriority) {
  ${filter}
  int zero = 0;
  u64 *s = seq.lookup(&zero);
  if (!s) return 0;
  struct event e = {};
  e.seq = __sync_fetch_and_add(s, 1);
  e.pid = bpf_get_current_pid_tgid() >> 32;
  if (events.ringbuf_output(&e, sizeof(e), 0)) {
    u64 *d = dropped.lookup(&zero);
    if (d) __sync_fetch_and_add(d, 1);
  }
  return 0;
}`;

function counter(name: string): number {
  return Number(m!.map(name).lookup(Buffer.alloc(4))!.readBigUInt64LE());
}

describe("ring buffer reads", () => {
  it("a busy producer is read in paced batches, every event once", async () => {
    const N = 100_000;
    // 256 pages: about 26,000 of these 40-byte records.
    m = await compile(source(256, `char c[16]; bpf_get_current_comm(&c, sizeof(c));
  if (c[0] != 'i' || c[1] != 'b' || c[2] != 'c' || c[3] != 'c' || c[4] != '_' || c[5] != 'r') return 0;`));
    const p = await m.load("tracepoint__syscalls__sys_enter_getpriority", "tracepoint");
    const seqs = new Uint8Array(N);
    let got = 0;
    let calls = 0;
    const reader = openRingBuffer(m.map("events"), {
      onPacked: (data, offsets) => {
        calls++;
        for (let i = 0; i + 1 < offsets.length; i++) {
          const s = Number(data.readBigUInt64LE(offsets[i]));
          if (s < N) seqs[s]++;
          got++;
        }
      },
    });
    p.attachTracepoint("syscalls", "sys_enter_getpriority");
    const cpu0 = process.cpuUsage();
    await promisify(execFile)(producer, [String(N)]);
    const dropped = counter("dropped");
    await until(() => got + dropped >= N);
    const cpu = process.cpuUsage(cpu0);
    console.log(
      `ring pacing: ${got} events in ${calls} reads (${(got / calls).toFixed(0)} a read), ${dropped} refused by a full ring, ` +
        `peak fill ${((reader.peakFill ?? 0) * 100).toFixed(0)}%, reader CPU ${((cpu.user + cpu.system) / got).toFixed(2)} us/event`,
    );
    expect(got + dropped).toBe(N);
    expect(reader.received).toBe(got);
    expect(reader.lost).toBe(0);
    expect(reader.lostCounted).toBe(false);
    expect(reader.peakFill).toBeGreaterThan(0);
    expect(reader.peakFill).toBeLessThanOrEqual(1);
    // Every event that got into the ring arrived exactly once.
    let once = 0;
    for (const c of seqs) {
      expect(c).toBeLessThanOrEqual(1);
      once += c;
    }
    expect(once).toBe(got);
    // A wake-up per few events would make this thousands of reads.
    expect(calls).toBeLessThan(N / 20);
    reader.close();
  });

  it("a ring that filled shows a peak fill near 1, while lost stays 0 (uncounted)", async () => {
    // One page holds about 100 records; 1,000 calls made without yielding overflow it.
    m = await compile(source(1, `if ((bpf_get_current_pid_tgid() >> 32) != ${process.pid}) return 0;`));
    const p = await m.load("tracepoint__syscalls__sys_enter_getpriority", "tracepoint");
    let got = 0;
    const reader = openRingBuffer(m.map("events"), { onPacked: (_d, offsets) => void (got += offsets.length - 1) });
    p.attachTracepoint("syscalls", "sys_enter_getpriority");
    getpriorityTimes(1000);
    const dropped = counter("dropped");
    await until(() => got + dropped >= 1000);
    console.log(`full ring: ${got} delivered, ${dropped} refused, peak fill ${((reader.peakFill ?? 0) * 100).toFixed(1)}%, lost ${reader.lost}`);
    expect(dropped).toBeGreaterThan(0);
    expect(got + dropped).toBe(1000);
    expect(reader.peakFill).toBeGreaterThan(0.9);
    expect(reader.lost).toBe(0);
    expect(reader.lostCounted).toBe(false);
    reader.close();
  });
});
