import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { root } from "../../native/addon.js";
import { compile, openHandles, openRingBuffer, settled, type Module } from "../../native/index.js";
import { bpftoolProgCount, getpriorityTimes, loadedProgIds, openFds, u32, until } from "./helpers.js";

const PID = process.pid;
const source = (salt: number) => `
BPF_ARRAY(calls, u64, 1);
BPF_RINGBUF_OUTPUT(events, 8);
TRACEPOINT_PROBE(syscalls, sys_enter_getpriority) {
  if ((bpf_get_current_pid_tgid() >> 32) != ${PID}) return 0;
  calls.increment(0);
  u32 v = ${salt};
  events.ringbuf_output(&v, sizeof(v), 0);
  return 0;
}`;
const FN = "tracepoint__syscalls__sys_enter_getpriority";

async function settle(): Promise<void> {
  // Tracepoints detach in the background; closed event readers hand their fds
  // back once libuv has let go of them.
  await settled();
  await new Promise((r) => setTimeout(r, 20));
}

describe("lifecycle", () => {
  it("500 compile/load/attach/read/close cycles leave no fd, handle or program behind", async () => {
    const fds0 = openFds();
    const handles0 = openHandles();
    const progs0 = bpftoolProgCount();
    const ids = new Set<number>();
    const CYCLES = 500;
    const FULL = 20;  // full compiles; the other cycles reuse one module
    let shared: Module | undefined;
    let compileMs = 0;
    let loadMs = 0;
    const t0 = performance.now();
    for (let i = 0; i < CYCLES; i++) {
      const full = i % (CYCLES / FULL) === 0;
      let m: Module;
      if (full) {
        shared?.close();
        const t = performance.now();
        m = shared = await compile(source(i));
        compileMs += performance.now() - t;
      } else {
        m = shared!;
      }
      const t = performance.now();
      const p = await m.load(FN, "tracepoint");
      ids.add(p.id);
      loadMs += performance.now() - t;
      const got: Buffer[] = [];
      const reader = openRingBuffer(m.map("events"), (evs) => got.push(...evs));
      const calls = m.map("calls");
      calls.clear();
      const a = p.attachTracepoint("syscalls", "sys_enter_getpriority");
      const n = 1 + (i % 7);
      getpriorityTimes(n);
      expect(calls.lookup(u32(0))!.readBigUInt64LE()).toBe(BigInt(n));
      await until(() => got.length >= n);
      expect(got.length).toBe(n);
      if (i % 3 === 0) a.close();  // sometimes explicitly, otherwise with the program
      if (i % 2 === 0) reader.close();  // otherwise with the module
      p.close();
      expect(p.attachments).toHaveLength(0);
      // The next cycle attaches to the same tracepoint and counts from zero.
      await p.settled;
    }
    shared?.close();
    await settle();
    const total = performance.now() - t0;
    console.log(`500 cycles (${FULL} full compiles) in ${(total / 1000).toFixed(1)} s: ` +
      `compile ${(compileMs / FULL).toFixed(0)} ms each, load ${(loadMs / CYCLES).toFixed(1)} ms each`);
    const left = [...loadedProgIds()].filter((id) => ids.has(id));
    // Other processes may load programs meanwhile: the total is printed, our own ids are checked.
    console.log(`fds ${fds0} -> ${openFds()}, native handles ${handles0} -> ${openHandles()}, ` +
      `bpftool prog show: ${progs0} -> ${bpftoolProgCount()} programs; ${ids.size} loaded here, ${left.length} still loaded`);
    expect(ids.size).toBe(CYCLES);
    expect(left).toEqual([]);
    expect(openFds()).toBe(fds0);
    expect(openHandles()).toBe(handles0);
  }, 240_000);

  it("closing a module closes its programs, attachments and readers", async () => {
    const fds0 = openFds();
    const m = await compile(source(1));
    const p = await m.load(FN, "tracepoint");
    const a = p.attachTracepoint("syscalls", "sys_enter_getpriority");
    const r = openRingBuffer(m.map("events"), () => {});
    expect(loadedProgIds().has(p.id)).toBe(true);
    m.close();
    expect([p.closed, a.closed, r.closed]).toEqual([true, true, true]);
    expect(() => p.attachTracepoint("syscalls", "sys_enter_getpriority")).toThrow(/closed/);
    await settle();
    expect(loadedProgIds().has(p.id)).toBe(false);
    expect(openFds()).toBe(fds0);
  });

  it("a module closed while a load is in flight frees it when the load ends", async () => {
    const handles0 = openHandles();
    const m = await compile(source(2));
    const pending = m.load(FN, "tracepoint");
    m.close();
    await expect(pending).rejects.toThrow(/closed/);
    expect(openHandles()).toBe(handles0);
  });

  it("a module JS drops without closing is closed by its finalizer", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const fds0 = openFds();
    const handles0 = openHandles();
    let id = 0;
    await (async () => {
      const m = await compile(source(3));
      const p = await m.load(FN, "tracepoint");
      p.attachTracepoint("syscalls", "sys_enter_getpriority");
      id = p.id;
    })();
    expect(loadedProgIds().has(id)).toBe(true);
    for (let i = 0; i < 20 && openHandles() > handles0; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(openHandles()).toBe(handles0);
    await settled();
    expect(loadedProgIds().has(id)).toBe(false);
    expect(openFds()).toBe(fds0);
  });

  it("everything a Node environment leaves open is closed when it tears down", async () => {
    const fds0 = openFds();
    // A worker thread is an environment of its own: it loads the addon, attaches,
    // opens a ring buffer, and is terminated without closing anything.
    const worker = new Worker(`
      const { parentPort, workerData } = require("node:worker_threads");
      const addon = require(workerData.binary);
      (async () => {
        const c = await addon.compile(workerData.source, [], 0);
        const info = addon.moduleInfo(c.handle);
        const l = await addon.load(c.handle, workerData.fn, addon.progTypeNames.indexOf("tracepoint"), 0, -1);
        addon.attachTracepoint(l.fd, "syscalls", "sys_enter_getpriority");
        addon.openRingBuffer(info.tables.find((t) => t.name === "events").fd, () => {});
        parentPort.postMessage({ id: l.id, handles: addon.openHandles() });
      })();`, {
      eval: true,
      workerData: { binary: join(root, "build", "Release", "ibcc_native.node"), source: source(4), fn: FN },
    });
    const msg = await new Promise<{ id: number; handles: number }>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    expect(msg.handles).toBe(4);  // module, program, attachment, ring buffer
    expect(loadedProgIds().has(msg.id)).toBe(true);
    expect(openFds()).toBeGreaterThan(fds0);
    await worker.terminate();
    await settle();
    expect(loadedProgIds().has(msg.id)).toBe(false);
    expect(openFds()).toBe(fds0);
  });
});
