import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile, openPerfBuffer, openRingBuffer, possibleCpus, type Module } from "../../native/index.js";
import { compileCodec } from "../../native/codec.js";
import { TableError, TypedMap, fallbackCodec, mapCodec } from "../../native/typed-map.js";
import { eventCodec, eventFields } from "../../native/codec-event.js";
import { SymbolResolver, readAllStacks, readStack, symbolizeStack } from "../../native/symbols.js";

const SOURCE = `
struct key_t { u32 pid; char comm[16]; };
struct val_t { u64 count; u64 bytes; u32 cpu; char name[12]; };
typedef char path_t[32];
struct grid_t { u64 id; int m[2][3]; };
BPF_HASH(grids, u32, struct grid_t, 4);
BPF_HASH(by_task, struct key_t, struct val_t, 1024);
BPF_HASH(big, u64, u64, 110000);
BPF_ARRAY(slots, u32, 8);
BPF_PERCPU_ARRAY(calls, u64, 1);
BPF_HASH(paths, int, path_t, 16);
BPF_STACK_TRACE(stacks, 64);
BPF_ARRAY(stack_ids, int, 2);
struct event_t { u32 pid; u64 ts; char comm[16]; };
BPF_PERF_OUTPUT(events);
BPF_RINGBUF_OUTPUT(ring, 8);
BPF_QUEUE(fifo, u32, 4);

TRACEPOINT_PROBE(syscalls, sys_enter_getppid) {
    int zero = 0, one = 1;
    u64 *c = calls.lookup(&zero);
    if (c) (*c)++;
    if (bpf_get_current_pid_tgid() >> 32 != IBCC_PID) return 0;
    int kid = stacks.get_stackid(args, 0);
    int uid = stacks.get_stackid(args, BPF_F_USER_STACK);
    stack_ids.update(&zero, &kid);
    stack_ids.update(&one, &uid);
    struct event_t ev = { .pid = bpf_get_current_pid_tgid() >> 32, .ts = bpf_ktime_get_ns() };
    bpf_get_current_comm(&ev.comm, sizeof(ev.comm));
    events.perf_submit(args, &ev, sizeof(ev));
    ring.ringbuf_output(&ev, sizeof(ev), 0);
    return 0;
}
`;

describe("TypedMap over real BPF maps", () => {
  let mod: Module;

  beforeAll(async () => {
    // Only this process's calls are recorded: other work on the machine calls getppid too.
    mod = await compile(SOURCE, { cflags: [`-DIBCC_PID=${process.pid}`] });
  });

  afterAll(() => {
    mod?.close();
  });

  it("sets, gets, deletes and lists struct keys and values", () => {
    const t = new TypedMap<{ pid: number; comm: string }, { count: bigint; bytes: bigint; cpu: number; name: string }>(mod.map("by_task"));
    expect(t.warnings).toEqual([]);
    expect(t.tsType).toBe("TypedMap<{ pid: number; comm: string }, { count: bigint; bytes: bigint; cpu: number; name: string }>");
    const k1 = { pid: 1, comm: "init" };
    const k2 = { pid: 4242, comm: "bash" };
    t.set(k1, { count: 1n, bytes: 2n ** 60n, cpu: 3, name: "one" });
    t.set(k2, { count: 5n, bytes: 10n, cpu: 0, name: "two" });
    expect(t.get(k1)).toEqual({ count: 1n, bytes: 2n ** 60n, cpu: 3, name: "one" });
    expect(t.has(k2)).toBe(true);
    expect(t.has({ pid: 9, comm: "x" })).toBe(false);
    expect(t.get({ pid: 9, comm: "x" })).toBeUndefined();
    expect(t.size).toBe(2);
    expect(t.keys().sort((a, b) => a.pid - b.pid)).toEqual([k1, k2]);
    const entries = new Map([...t].map(([k, v]) => [k.comm, v.count]));
    expect(entries).toEqual(new Map([["init", 1n], ["bash", 5n]]));
    expect(t.delete(k1)).toBe(true);
    expect(t.delete(k1)).toBe(false);
    t.clear();
    expect(t.size).toBe(0);
  });

  it("can be made over every map of a module, saying where a description could not be used", () => {
    for (const name of mod.mapNames) expect(() => new TypedMap(mod.map(name)), name).not.toThrow();
    const ring = new TypedMap(mod.map("ring"));
    expect(ring.warnings.join("\n")).toMatch(/lays out 4 bytes but the map holds 0/);
    expect(ring.size).toBe(0);
  });

  it("reads and clears in one step, and pushes, pops and peeks a queue", () => {
    const h = new TypedMap<{ pid: number; comm: string }, { count: bigint; bytes: bigint; cpu: number; name: string }>(mod.map("by_task"));
    h.set({ pid: 7, comm: "a" }, { count: 1n, bytes: 2n, cpu: 0, name: "x" });
    h.set({ pid: 8, comm: "b" }, { count: 3n, bytes: 4n, cpu: 1, name: "y" });
    const taken = h.entriesAndClear().sort((a, b) => a[0].pid - b[0].pid);
    expect(taken.map(([k, v]) => [k.pid, v.count])).toEqual([[7, 1n], [8, 3n]]);
    expect(h.size).toBe(0);

    const q = new TypedMap<never, number>(mod.map("fifo"));
    expect(q.size).toBe(0);
    expect(q.pop()).toBeUndefined();
    q.push(5);
    q.push(6);
    expect(q.peek()).toBe(5);
    expect(q.pop()).toBe(5);
    expect(q.pop()).toBe(6);
    for (const v of [1, 2, 3, 4]) q.push(v);
    expect(() => q.push(9)).toThrow(/^push fifo: /);
    q.push(9, 2); // BPF_EXIST: the oldest goes
    expect([q.pop(), q.pop(), q.pop(), q.pop()]).toEqual([2, 3, 4, 9]);
  });

  it("reads an undescribed or unusable side as a plain integer when it has an integer's size, else as bytes", () => {
    expect(fallbackCodec(4).tsType).toBe("number");
    expect(fallbackCodec(8).tsType).toBe("bigint");
    expect(fallbackCodec(12).node.kind).not.toBe("int");
    expect(mapCodec(null, 4).tsType).toBe("number");
    expect(mapCodec("unsigned long long", 8).tsType).toBe("bigint");
    expect(mapCodec("unsigned long long", 4).tsType).toBe("number"); // a description that does not fit
  });

  it("restores a two-dimensional array field from the map's size", () => {
    const t = new TypedMap<number, { id: bigint; m: number[][] }>(mod.map("grids"));
    expect(t.warnings).toEqual([expect.stringMatching(/^value: m: \[2\]\[3\] restored/)]);
    t.set(1, { id: 9n, m: [[1, 2, 3], [4, 5, 6]] });
    expect(t.get(1)).toEqual({ id: 9n, m: [[1, 2, 3], [4, 5, 6]] });
  });

  it("reads a top-level char array value as a string", () => {
    const t = new TypedMap<number, string>(mod.map("paths"));
    t.set(3, "/usr/lib/os-release");
    expect(t.get(3)).toBe("/usr/lib/os-release");
    expect(t.value.tsType).toBe("string");
  });

  it("reads arrays: every index is a key, clear zeroes", () => {
    const t = new TypedMap<number, number>(mod.map("slots"));
    expect(t.size).toBe(8);
    t.set(2, 77);
    expect(t.get(2)).toBe(77);
    expect(t.values().reduce((a, b) => a + b, 0)).toBe(77);
    t.clear();
    expect(t.get(2)).toBe(0);
  });

  it("names the map and the operation in its errors", () => {
    const t = new TypedMap<number, number>(mod.map("slots"));
    expect(() => t.set(8, 1)).toThrow(/^set slots: .*E2BIG/);
    expect(() => t.set(1, 1, 1)).toThrow(/^set slots: .*EEXIST/); // BPF_NOEXIST on an array
    const bad = new TypedMap<{ pid: number; comm: string }, unknown>(mod.map("by_task"));
    expect(() => bad.set({ pid: 1, comm: "x" }, { count: "lots" })).toThrow(TableError);
    expect(() => bad.set({ pid: 1, comm: "x" }, { count: "lots" })).toThrow(/^set by_task: /);
    expect(() => new TypedMap(mod.map("slots"), { key: compileCodec("unsigned long long") })).toThrow(
      /map slots: the key codec is 8 bytes but the map's keys are 4/,
    );
  });

  it("gives per-CPU values one per CPU, and sums them", async () => {
    const t = new TypedMap<number, bigint[]>(mod.map("calls"));
    expect(t.perCpu).toBe(true);
    expect(t.tsType).toBe("TypedMap<number, Array<bigint>>");
    const per = Array.from({ length: possibleCpus }, (_, i) => BigInt(i + 1));
    t.set(0, per);
    expect(t.get(0)).toEqual(per);
    expect(t.sum(0)).toBe(per.reduce((a, b) => a + b, 0n));
    t.set(0, 0n as unknown as bigint[]); // one value for every CPU
    expect(t.get(0)).toEqual(per.map(() => 0n));

    const prog = await mod.load("tracepoint__syscalls__sys_enter_getppid", "tracepoint");
    prog.attachTracepoint("syscalls", "sys_enter_getppid");
    try {
      for (let i = 0; i < 100; i++) void process.ppid;
    } finally {
      prog.close();
    }
    expect(t.sum(0)).toBeGreaterThanOrEqual(100n);
    const cols = t.entriesColumnar();
    expect(cols.cpus).toBe(possibleCpus);
    expect((cols.values as BigUint64Array)[0]).toBe(t.sum(0));
    expect((cols.cpuValues as BigUint64Array).length).toBe(possibleCpus);
    expect(() => new TypedMap(mod.map("slots")).sum(0 as never)).toThrow(/only per-CPU maps of integers/);
  });

  it("reads and symbolizes the kernel and user stacks a program collected", () => {
    // The previous test ran the program: both stacks of the last getppid are stored.
    const ids = new TypedMap<number, number>(mod.map("stack_ids"));
    const [kid, uid] = [ids.get(0)!, ids.get(1)!];
    const stacks = mod.map("stacks");
    expect(kid).toBeGreaterThanOrEqual(0);
    const kernel = symbolizeStack(readStack(stacks, kid), SymbolResolver.kernel());
    console.log(`table: kernel stack of getppid:\n  ${kernel.map((f) => f.text).join("\n  ")}`);
    expect(kernel.length).toBeGreaterThan(0);
    expect(kernel.some((f) => f.module === "kernel" && /getppid|syscall/.test(f.name ?? ""))).toBe(true);
    expect(readStack(stacks, -14)).toEqual([]);
    const all = readAllStacks(stacks);
    expect(all.get(kid)).toEqual(readStack(stacks, kid));
    if (uid >= 0) expect(all.get(uid)).toEqual(readStack(stacks, uid));
    expect(() => readAllStacks(mod.map("slots"))).toThrow(/not a stack_trace map/);
    if (uid >= 0) {
      const r = SymbolResolver.forPid(process.pid);
      try {
        const user = symbolizeStack(readStack(stacks, uid), r);
        console.log(`table: user stack of getppid:\n  ${user.slice(0, 5).map((f) => f.text).join("\n  ")}`);
        // The innermost frame is libc's getppid wrapper making the syscall.
        expect(user[0].name).toMatch(/getppid/);
        expect(user[0].module).toMatch(/libc/);
      } finally {
        r.close();
      }
    } else console.log(`table: no user stack (bpf_get_stackid gave ${uid})`);
  });

  it("finds the record type of perf and ring buffer events", () => {
    expect(eventFields(mod, "events")).toEqual(["pid#u32", "ts#u64", "comm#char[16]"]);
    expect(eventFields(mod, "ring")).toEqual(["pid#u32", "ts#u64", "comm#char[16]"]);
    expect(eventFields(mod, "slots")).toEqual([]);
    const c = eventCodec(mod, "events")!;
    expect(c.size).toBe(32);
    expect(c.tsType).toBe("{ pid: number; ts: bigint; comm: string }");
    expect(eventCodec(mod, "slots")).toBeUndefined();
  });

  it("decodes real perf and ring buffer events with the codec BCC's fields give", async () => {
    type Ev = { pid: number; ts: bigint; comm: string };
    const codec = eventCodec<Ev>(mod, "events")!;
    const got: { perf: Ev[]; ring: Ev[] } = { perf: [], ring: [] };
    const perf = openPerfBuffer(mod.map("events"), (evs) => got.perf.push(...evs.map((e) => codec.decode(e))));
    const ring = openRingBuffer(mod.map("ring"), (evs) => got.ring.push(...evs.map((e) => codec.decode(e))));
    const prog = await mod.load("tracepoint__syscalls__sys_enter_getppid", "tracepoint");
    try {
      prog.attachTracepoint("syscalls", "sys_enter_getppid");
      for (let i = 0; i < 3; i++) void process.ppid;
      for (let waited = 0; (got.perf.length < 3 || got.ring.length < 3) && waited < 5000; waited += 20)
        await new Promise((r) => setTimeout(r, 20));
    } finally {
      prog.close();
      perf.close();
      ring.close();
    }
    const comm = (await import("node:fs")).readFileSync("/proc/self/comm", "utf8").trim();
    for (const evs of [got.perf, got.ring]) {
      expect(evs.length).toBeGreaterThanOrEqual(3);
      for (const e of evs) expect(e).toMatchObject({ pid: process.pid, comm });
      expect(evs[0].ts).toBeGreaterThan(0n);
    }
  });

  it("decodes a large u64 -> u64 map in batches, as rows and as columns", () => {
    const t = new TypedMap<bigint, bigint>(mod.map("big"));
    // Filling costs a syscall per entry; the codec's own test decodes a million.
    const n = 100_000;
    const keys = Buffer.alloc(8);
    const vals = Buffer.alloc(8);
    let t0 = performance.now();
    // Filled through the raw map: the figure below is about reading, not writing.
    for (let i = 0; i < n; i++) {
      keys.writeBigUInt64LE(BigInt(i));
      vals.writeBigUInt64LE(BigInt(i) * 2n);
      t.map.update(keys, vals);
    }
    const fill = performance.now() - t0;
    t0 = performance.now();
    const raw = t.map.readAll();
    const read = performance.now() - t0;
    t0 = performance.now();
    const entries = t.entries();
    const rows = performance.now() - t0;
    t0 = performance.now();
    const cols = t.entriesColumnar();
    const colsMs = performance.now() - t0;
    console.log(
      `table: ${n} u64->u64: fill ${fill.toFixed(0)} ms, readAll ${read.toFixed(0)} ms, ` +
        `entries() ${rows.toFixed(0)} ms (incl. read), entriesColumnar() ${colsMs.toFixed(0)} ms (incl. read)`,
    );
    expect(raw.count).toBe(n);
    expect(entries.length).toBe(n);
    const [k, v] = entries[12345];
    expect(v).toBe(k * 2n);
    expect(cols.keys).toBeInstanceOf(BigUint64Array);
    expect(cols.values).toBeInstanceOf(BigUint64Array);
    const ck = cols.keys as BigUint64Array;
    const cv = cols.values as BigUint64Array;
    expect(cv[777]).toBe(ck[777] * 2n);
    // Views of the read's own memory, one allocation for each side.
    expect(ck.byteOffset).toBe(0);
    expect(ck.buffer).not.toBe(cv.buffer);
    t.clear();
    expect(t.size).toBe(0);
  });
});
