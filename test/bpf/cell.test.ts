import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { CellError } from "../../kernel/plugin.js";
import { runBpfBlock } from "../../magics/bpf-cell.js";
import { detachAll, byName } from "../../magics/programs.js";
import type { Program } from "../../magics/program.js";
import { stripAnsi } from "../../magics/diagnostics/ansi.js";
import { loadedProgramIds, plainText, testContext } from "./context.js";

afterAll(() => {
  detachAll();
});

async function cellError(p: Promise<unknown>): Promise<CellError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CellError);
    return e as CellError;
  }
  throw new Error("the block did not fail");
}

const COUNTS = `
BPF_HASH(counts, struct key_t, u64);
struct key_t { char comm[16]; };
TRACEPOINT_PROBE(raw_syscalls, sys_enter) {
  struct key_t k = {};
  bpf_get_current_comm(&k.comm, sizeof(k.comm));
  counts.increment(k);
  return 0;
}`.replace("BPF_HASH(counts, struct key_t, u64);\nstruct key_t { char comm[16]; };", "struct key_t { char comm[16]; };\nBPF_HASH(counts, struct key_t, u64);");

describe("%%bpf blocks", () => {
  it("counts syscalls by process name in a hash, typed", async () => {
    const ctx = testContext();
    const prog = (await runBpfBlock({ args: "sc", body: COUNTS, headerLine: 1 }, ctx)) as Program;
    execFileSync("/bin/true");
    execFileSync("/bin/true");
    const entries = prog.table("counts").entries() as [{ comm: string }, bigint][];
    const mine = entries.find(([k]) => k.comm === "true");
    console.log(`syscalls by comm: ${entries.length} names; 'true' made ${mine?.[1]}`);
    expect(mine).toBeDefined();
    expect(mine![1]).toBeGreaterThan(10n);
    const bound = ctx.globals.get("sc");
    expect(bound?.value).toBe(prog);
    expect(bound?.type).toBe("BpfProgram<{ counts: BpfTable<{ comm: string }, bigint> }, {  }>");
    const summary = await plainText(prog);
    expect(summary).toMatch(/tracepoint raw_syscalls:sys_enter/);
    expect(summary).toMatch(/counts\s+hash\s+\{ comm: string \}\s+bigint\s+10240/);
    expect(await plainText(prog.table("counts"))).toMatch(/comm/);
  });

  it("reports a compile error on the cell's line, with the source and a caret", async () => {
    const body = "BPF_HASH(h, u32, u64);\nTRACEPOINT_PROBE(syscalls, sys_enter_getppid) {\n  u32 k = 0;\n  h.increment(kk);\n  return 0;\n}";
    const e = await cellError(runBpfBlock({ args: "bad", body, headerLine: 3 }, testContext()));
    // body line 4 of a block whose header is cell line 3
    expect(e.evalue).toMatch(/^cell line 7: use of undeclared identifier 'kk'/);
    const tb = e.traceback.map(stripAnsi);
    expect(tb).toContain("cell line 7, col 15: error: use of undeclared identifier 'kk'");
    expect(tb).toContain("      h.increment(kk);");
    expect(tb).toContain("                  ^");
  });

  it("shows a verifier rejection with its log and a hint", async () => {
    // a map lookup used without its NULL check
    const body = "BPF_HASH(h, u32, u64);\nRAW_TRACEPOINT_PROBE(sys_enter) {\n  u32 k = 1;\n  u64 *v = h.lookup(&k);\n  return *v > 0;\n}";
    const e = await cellError(runBpfBlock({ args: "vbad", body, headerLine: 1 }, testContext()));
    expect(e.ename).toBe("VerifierError");
    const tb = e.traceback.map(stripAnsi).join("\n");
    console.log(tb);
    expect(tb).toMatch(/rejected raw_tracepoint__sys_enter\(\)/);
    expect(tb).toMatch(/failing instruction: \d+: \(/);
    expect(tb).toMatch(/; return \*v > 0; @ cell line 6/);
    expect(tb).toMatch(/hint: the map lookup's result is used without a NULL check/);
    expect((e as unknown as { log: string }).log.length).toBeGreaterThan(0);
  });

  it("says kprobes are missing and what to use instead", async () => {
    const body = "int kprobe__vfs_read(struct pt_regs *ctx) { return 0; }";
    const e = await cellError(runBpfBlock({ args: "kp", body, headerLine: 1 }, testContext()));
    expect(e.ename).toBe("MissingFeature");
    expect(e.evalue).toMatch(/this kernel has no kprobes \(built without CONFIG_KPROBES\): use a tracepoint \(TRACEPOINT_PROBE\(syscalls, sys_enter_X\)\)/);
  });

  it("lists near tracepoints for an unknown one", async () => {
    const e = await cellError(runBpfBlock({ args: "tp", body: "TRACEPOINT_PROBE(sched, sched_proces_exec) { return 0; }", headerLine: 1 }, testContext()));
    expect(e.evalue).toMatch(/did you mean sched:sched_process_exec/);
  });

  it("names a bad header option", async () => {
    const e = await cellError(runBpfBlock({ args: "x --kprobe", body: "", headerLine: 1 }, testContext()));
    expect(e.ename).toBe("UsageError");
    expect(e.evalue).toMatch(/--kprobe: missing its value/);
  });

  it("re-running an unchanged block keeps its programs attached and empties its maps, without compiling", async () => {
    const fn = `ur${process.pid % 100000}`;
    const body = `BPF_ARRAY(n, u64, 1);\nBPF_HASH(h, u32, u64);\nint ${fn}(void *args) { int z = 0; n.increment(z); u32 k = 7; h.increment(k); return 0; }`;
    const args = `ur --tracepoint syscalls:sys_enter_getppid=${fn}`;
    const t0 = performance.now();
    const first = (await runBpfBlock({ args, body, headerLine: 1 }, testContext())) as Program;
    const compiled = performance.now() - t0;
    for (let i = 0; i < 5; i++) void process.ppid; // getppid(2)
    expect(first.table("n").get(0) as bigint).toBeGreaterThanOrEqual(5n);
    const t1 = performance.now();
    const second = (await runBpfBlock({ args, body, headerLine: 1 }, testContext())) as Program;
    const renewed = performance.now() - t1;
    console.log(`unchanged re-run: ${renewed.toFixed(1)} ms (first run, with its compile: ${compiled.toFixed(0)} ms)`);
    expect(first.closed).toBe(true);
    expect(second.closed).toBe(false);
    expect(second.ids).toEqual(first.ids);
    expect(loadedProgramIds(fn)).toEqual(second.ids);
    expect(second.table("h").size).toBe(0);
    expect(() => first.table("n")).toThrow(/closed/);
    expect(() => first.table("n")).toThrow(expect.objectContaining({ op: "table", code: "EBADF" }));
    for (let i = 0; i < 3; i++) void process.ppid;
    expect(second.table("n").get(0) as bigint).toBeGreaterThanOrEqual(3n);
    expect(second.table("h").get(7) as bigint).toBeGreaterThanOrEqual(3n);
    // Changed text compiles and loads afresh.
    const third = (await runBpfBlock({ args, body: body.replace("u32 k = 7", "u32 k = 8"), headerLine: 1 }, testContext())) as Program;
    expect(third.ids).not.toEqual(second.ids);
    expect(second.closed).toBe(true);
    await second.settled; // its hook detaches in the background
    expect(loadedProgramIds(fn)).toEqual(third.ids);
    third.close();
    await third.settled;
    expect(loadedProgramIds(fn)).toEqual([]);
  });

  it("re-running replaces the earlier program; a failing re-run leaves it working", async () => {
    // A name of its own, so that programs other processes load meanwhile do not count.
    const fn = `rr${process.pid % 100000}`;
    const body = `BPF_ARRAY(n, u64, 1);\nint ${fn}(void *args) { int z = 0; n.increment(z); return 0; }`;
    const args = `rr --tracepoint syscalls:sys_enter_getppid=${fn}`;
    const first = (await runBpfBlock({ args, body, headerLine: 1 }, testContext())) as Program;
    const before = loadedProgramIds(fn);
    const second = (await runBpfBlock({ args, body, headerLine: 1 }, testContext())) as Program;
    await first.settled; // its hook detaches in the background
    const after = loadedProgramIds(fn);
    console.log(`bpftool prog show: ${before.length} program named ${fn} before the re-run, ${after.length} after`);
    expect(before).toEqual(first.ids);
    expect(after).toEqual(second.ids);
    expect(first.closed).toBe(true);

    await cellError(runBpfBlock({ args, body: body.replace("return 0; }", "return zz; }"), headerLine: 1 }, testContext()));
    await cellError(runBpfBlock({ args: "rr --tracepoint syscalls:sys_enter_getppid=nope", body, headerLine: 1 }, testContext()));
    expect(byName("rr")).toBe(second);
    expect(second.closed).toBe(false);
    expect(loadedProgramIds(fn)).toEqual(second.ids);
    const n0 = second.table("n").get(0) as bigint;
    void process.ppid; // getppid(2)
    expect((second.table("n").get(0) as bigint) > n0).toBe(true);
  });
});
