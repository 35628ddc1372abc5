import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import {
  averageRunNs,
  disableStats,
  enableStats,
  holders,
  listLinks,
  listMaps,
  listPrograms,
  map,
  program,
  statsState,
} from "../../native/introspect.js";
import { compile } from "../../native/index.js";

/**
 * A program loaded by another process (BCC's Python front end), so the listing is
 * shown to see what this process did not load itself.
 */
const LOADER = `
import sys
from bcc import BPF
b = BPF(text='''
BPF_HASH(ibcc_intro_hash, u32, u64, 64);
BPF_ARRAY(ibcc_intro_arr, u64, 4);
TRACEPOINT_PROBE(syscalls, sys_enter_getppid) {
    u32 k = 1; u64 zero = 0, *v = ibcc_intro_hash.lookup_or_try_init(&k, &zero);
    if (v) __sync_fetch_and_add(v, 1);
    int i = 0; u64 *a = ibcc_intro_arr.lookup(&i); if (a) __sync_fetch_and_add(a, 1);
    return 0;
}
''')
print("ready", flush=True)
sys.stdin.read()
`;

const STATS = "/proc/sys/kernel/bpf_stats_enabled";

interface BpftoolProg {
  id: number;
  type: string;
  name?: string;
  tag: string;
  loaded_at: number;
  uid: number;
  bytes_xlated: number;
  bytes_jited?: number;
  map_ids?: number[];
}

describe("introspection of loaded programs and maps", () => {
  let loader: ChildProcess;
  let statsBefore: string;
  // Other suites may load programs of the same name meanwhile: ours is the one the loader holds.
  let mine: number;

  beforeAll(async () => {
    statsBefore = readFileSync(STATS, "utf8").trim();
    loader = spawn("/usr/bin/python3", ["-c", LOADER], { stdio: ["pipe", "pipe", "pipe"] });
    let err = "";
    loader.stderr!.on("data", (d) => (err += d));
    await new Promise<void>((resolve, reject) => {
      loader.stdout!.on("data", (d: Buffer) => d.toString().includes("ready") && resolve());
      loader.once("exit", (code) => reject(new Error(`BCC loader exited with ${code}: ${err}`)));
    });
    const held = [...holders().programs].filter(([, hs]) => hs.some((h) => h.pid === loader.pid)).map(([id]) => id);
    expect(held).toHaveLength(1);
    mine = held[0];
  });

  afterAll(() => {
    loader?.stdin?.end();
    loader?.kill();
    if (statsBefore !== undefined) writeFileSync(STATS, statsBefore);
  });

  it("lists the same programs as bpftool, with the same names, tags and maps", () => {
    const ours = listPrograms();
    const theirs = JSON.parse(execFileSync("bpftool", ["-j", "prog", "show"], { encoding: "utf8" })) as BpftoolProg[];
    const byId = new Map(theirs.map((p) => [p.id, p]));
    const common = ours.filter((p) => byId.has(p.id));
    console.log(`introspect: ${ours.length} programs listed, bpftool ${theirs.length}, ${common.length} in both`);
    // Other suites load and unload programs meanwhile; the ones seen by both must agree.
    expect(common.length).toBeGreaterThan(0);
    for (const p of common) {
      const t = byId.get(p.id)!;
      expect(p.tag).toBe(t.tag);
      expect(p.type).toBe(t.type);
      expect(p.name).toBe(t.name ?? "");
      expect(p.uid).toBe(t.uid);
      expect(p.xlatedSize).toBe(t.bytes_xlated);
      expect(p.jitedSize).toBe(t.bytes_jited ?? 0);
      expect([...p.mapIds].sort()).toEqual([...(t.map_ids ?? [])].sort());
      expect(Math.abs(p.loadTime.getTime() / 1000 - t.loaded_at)).toBeLessThan(2);
    }
    const p = ours.find((x) => x.id === mine)!;
    expect(byId.has(mine)).toBe(true);
    expect(p.name).toBe("tracepoint__syscalls__sys_enter_getppid");
    // The kernel keeps 15 characters of the name; BTF has all of it.
    expect(p.kernelName).toHaveLength(15);
    expect(p.name).toContain(p.kernelName);
    expect(p.memlock).toBeGreaterThan(0);
    expect(program(mine)?.tag).toBe(p.tag);
    expect(program(0x7fffffff)).toBeUndefined();
  });

  it("lists the maps of a program with their types and sizes", () => {
    const p = program(mine)!;
    const maps = p.mapIds.map((id) => map(id)!);
    const hash = maps.find((m) => m.name === "ibcc_intro_hash");
    const arr = maps.find((m) => m.name === "ibcc_intro_arr");
    expect(hash).toMatchObject({ type: "hash", keySize: 4, valueSize: 8, maxEntries: 64 });
    expect(arr).toMatchObject({ type: "array", keySize: 4, valueSize: 8, maxEntries: 4 });
    const all = listMaps();
    expect(all.map((m) => m.id)).toEqual(expect.arrayContaining(p.mapIds));
    const theirs = JSON.parse(execFileSync("bpftool", ["-j", "map", "show", "id", String(hash!.id)], { encoding: "utf8" }));
    expect(theirs).toMatchObject({ id: hash!.id, type: "hash", name: "ibcc_intro_hash", bytes_key: 4, bytes_value: 8, max_entries: 64 });
  });

  it("finds the processes that hold a program and its maps open", () => {
    const p = program(mine)!;
    const t0 = performance.now();
    const h = holders();
    console.log(`introspect: holders of ${h.programs.size} programs and ${h.maps.size} maps found in ${(performance.now() - t0).toFixed(0)} ms`);
    expect(h.programs.get(p.id)?.map((x) => x.pid)).toContain(loader.pid);
    expect(h.programs.get(p.id)?.find((x) => x.pid === loader.pid)?.comm).toMatch(/python/);
    for (const id of p.mapIds) expect(h.maps.get(id)?.map((x) => x.pid)).toContain(loader.pid);
  });

  it("lists links with their programs and targets, as bpftool does", async () => {
    const mod = await compile(`RAW_TRACEPOINT_PROBE(sys_enter) { return 0; }`);
    try {
      const prog = await mod.load("raw_tracepoint__sys_enter", "raw_tracepoint");
      prog.attachRawTracepoint("sys_enter");
      const links = listLinks();
      const theirs = JSON.parse(execFileSync("bpftool", ["-j", "link", "show"], { encoding: "utf8" })) as { id: number; type: string; prog_id: number; tp_name?: string }[];
      const byId = new Map(theirs.map((l) => [l.id, l]));
      const ours = links.find((l) => l.progId === prog.id);
      expect(ours).toMatchObject({ type: "raw_tracepoint", target: "sys_enter" });
      expect(byId.get(ours!.id)).toMatchObject({ type: "raw_tracepoint", prog_id: prog.id, tp_name: "sys_enter" });
      for (const l of links.filter((x) => byId.has(x.id))) {
        expect(l.type).toBe(byId.get(l.id)!.type);
        expect(l.progId).toBe(byId.get(l.id)!.prog_id);
      }
      console.log(`introspect: ${links.length} links: ${links.map((l) => `${l.type}${l.target ? `(${l.target})` : ""}`).join(", ")}`);
    } finally {
      mod.close();
    }
  });

  it("names the interface and direction of XDP and tcx links", async () => {
    // A veth pair of our own, removed afterwards.
    const a = `ibccl${process.pid % 100000}`;
    execFileSync("ip", ["link", "add", a, "type", "veth", "peer", "name", `${a}p`]);
    const mod = await compile(`
int xdp_pass(struct xdp_md *ctx) { return XDP_PASS; }
int tc_next(struct __sk_buff *skb) { return -1; }
`);
    try {
      const xdp = await mod.load("xdp_pass", "xdp");
      const tc = await mod.load("tc_next", "sched_cls");
      xdp.attachXdp(a);
      tc.attachTc(a, "egress");
      const links = listLinks();
      const ifindex = Number(readFileSync(`/sys/class/net/${a}/ifindex`, "utf8"));
      expect(links.find((l) => l.progId === xdp.id)).toMatchObject({ type: "xdp", ifindex, target: a });
      expect(links.find((l) => l.progId === tc.id)).toMatchObject({ type: "tcx", ifindex, target: a, direction: "egress" });
    } finally {
      mod.close();
      execFileSync("ip", ["link", "del", a]);
    }
  });

  it("counts runs and run time only while BPF statistics are on: through a BPF_ENABLE_STATS fd or the sysctl", () => {
    const getppid = (n: number) => {
      for (let i = 0; i < n; i++) void process.ppid; // one getppid() each: the loader's program runs
    };
    const count = () => listPrograms().find((x) => x.id === mine)!.runCount;
    writeFileSync(STATS, "0");
    // Off: the counters stand still (unless some other process holds statistics on right now).
    if (!statsState().on) {
      const before = count();
      getppid(1000);
      expect(count()).toBe(before);
    }
    // An fd of our own: on while it is held, the sysctl left as it was, this process named as a holder.
    const fd = enableStats();
    const on = statsState();
    expect(on).toMatchObject({ on: true, sysctl: false });
    expect(on.holders.map((h) => h.pid)).toContain(process.pid);
    const before = count();
    getppid(1000);
    const p = listPrograms().find((x) => x.id === mine)!;
    console.log(`introspect: ${p.name}: run_cnt ${p.runCount}, run_time_ns ${p.runTimeNs}, avg ${averageRunNs(p)?.toFixed(0)} ns`);
    expect(p.runCount).toBeGreaterThanOrEqual(before + 1000);
    expect(p.runTimeNs).toBeGreaterThan(0);
    expect(program(mine)!.runCount).toBeGreaterThanOrEqual(p.runCount);
    disableStats(fd);
    expect(statsState().holders.map((h) => h.pid)).not.toContain(process.pid);
    // The sysctl, the other way on.
    writeFileSync(STATS, "1");
    expect(statsState()).toMatchObject({ on: true, sysctl: true });
    const c = count();
    getppid(100);
    expect(count()).toBeGreaterThanOrEqual(c + 100);
  });
});
