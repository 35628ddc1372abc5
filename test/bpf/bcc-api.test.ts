/**
 * BCC's API beyond tables and events, through a real Jupyter client and the
 * kernel process (dist/kernel/cli.js): tail calls, read-and-clear, queue,
 * stack, LPM trie and map-of-maps, symbols, perf events and typed attach.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFileSync, existsSync } from "node:fs";
import { CLI, KernelClient, type Execution } from "../support/kernel-client.js";
import { stripAnsi } from "../../magics/diagnostics/ansi.js";

const built = existsSync(CLI);
if (!built) console.log(`skipping BCC API tests: ${CLI} is not built (npx tsc -p tsconfig.json)`);

const text = (x: Execution) =>
  x.outputs.map((m) => (m.content.data?.["text/plain"] as string | undefined) ?? (m.content.text as string | undefined) ?? "").join("\n");
const ok = (x: Execution) => {
  if (x.reply.content.status !== "ok") throw new Error(`cell failed: ${x.reply.content.ename}: ${x.reply.content.evalue}\n${stripAnsi((x.reply.content.traceback ?? []).join("\n"))}`);
  return x;
};
/** The cell's result, a JSON string the cell made. */
const json = (x: Execution) => {
  const r = ok(x).outputs.find((m) => m.header.msg_type === "execute_result");
  const t = String(r?.content.data["text/plain"] ?? "");
  return JSON.parse(t.startsWith("'") ? t.slice(1, -1) : t);
};

// A command only these tests run: its comm is what the programs filter on.
const TAIL_BIN = "/tmp/hellotail";
const DD_BIN = "/tmp/ddwork";

describe.skipIf(!built)("BCC's API from cells", () => {
  let k: KernelClient;
  beforeAll(async () => {
    k = await KernelClient.start();
  });
  afterAll(async () => {
    await k?.close();
  });

  it("tail calls: a program array filled with loadFunc'd functions dispatches by pid parity", async () => {
    copyFileSync("/bin/true", TAIL_BIN);
    ok(await k.execute(
      "%%bpf hello_tail\nBPF_PROG_ARRAY(jmp, 2);\nBPF_ARRAY(counts, u64, 2);\n" +
        "static inline int ours(void) {\n  char c[16];\n  bpf_get_current_comm(&c, sizeof(c));\n" +
        "  return c[0] == 'h' && c[1] == 'e' && c[2] == 'l' && c[3] == 'l' && c[4] == 'o' && c[5] == 't' && c[6] == 'a' && c[7] == 'i' && c[8] == 'l' && c[9] == 0;\n}\n" +
        "TRACEPOINT_PROBE(sched, sched_process_exec) {\n  if (!ours()) return 0;\n  u32 pid = bpf_get_current_pid_tgid() >> 32;\n  jmp.call(args, pid & 1);\n  return 0;\n}\n" +
        "int do_even(void *ctx) { int k = 0; counts.increment(k); return 0; }\n" +
        "int do_odd(void *ctx) { int k = 1; counts.increment(k); return 0; }",
      {}, 60_000));
    // Not loaded before it is asked for: the error says how.
    const early = await k.execute(`hello_tail.fn("do_even")`);
    expect(early.reply.content.status).toBe("error");
    expect(String(early.reply.content.evalue)).toMatch(/loadFunc\("do_even"\)/);
    const fill = json(await k.execute(
      `const even = await hello_tail.loadFunc("do_even");\nhello_tail.maps.jmp.set(0, even);\nhello_tail.maps.jmp.set(1, await hello_tail.loadFunc("do_odd"));\n` +
        `JSON.stringify({ type: even.type, same: hello_tail.fn("do_even") === even, ids: hello_tail.maps.jmp.entries(), loaded: hello_tail.ids.length })`,
      {}, 30_000));
    console.log(`hello_tail: ${JSON.stringify(fill)}`);
    expect(fill.type).toBe("tracepoint");
    expect(fill.same).toBe(true);
    expect(fill.loaded).toBe(3);
    expect(fill.ids.map((e: number[]) => e[0])).toEqual([0, 1]);
    const bad = await k.execute(`hello_tail.maps.jmp.set(0, "do_even" as any)`);
    expect(String(bad.reply.content.evalue)).toMatch(/BPF_PROG_ARRAY: set it to a loaded function/);
    const r = json(await k.execute(
      `import { spawnSync } from "node:child_process";\nconst pids: number[] = [];\nfor (let i = 0; i < 20; i++) pids.push(spawnSync("${TAIL_BIN}").pid!);\n` +
        `JSON.stringify({ even: pids.filter((p) => p % 2 === 0).length, odd: pids.filter((p) => p % 2 === 1).length, counts: hello_tail.maps.counts.values().map(Number) })`,
      {}, 30_000));
    console.log(`hello_tail after 20 runs: ${JSON.stringify(r)}`);
    expect(r.counts).toEqual([r.even, r.odd]);
    const summary = text(ok(await k.execute("hello_tail")));
    expect(summary).toMatch(/do_odd/);
    ok(await k.execute("hello_tail.close()"));
  });

  it("read-and-clear: every event lands in exactly one read while the workload runs", async () => {
    copyFileSync("/bin/dd", DD_BIN);
    ok(await k.execute(
      "%%bpf takes\nBPF_HASH(per_cpu, u32, u64, 64);\n" +
        "TRACEPOINT_PROBE(syscalls, sys_enter_read) {\n  char c[16];\n  bpf_get_current_comm(&c, sizeof(c));\n" +
        "  if (c[0] != 'd' || c[1] != 'd' || c[2] != 'w' || c[3] != 'o' || c[4] != 'r' || c[5] != 'k' || c[6] != 0) return 0;\n" +
        "  if (args->count != 1) return 0;\n  u32 cpu = bpf_get_smp_processor_id();\n  per_cpu.increment(cpu);\n  return 0;\n}",
      {}, 60_000));
    const N = 300_000;
    const r = json(await k.execute(
      `import { spawn } from "node:child_process";\n` +
        `const dd = spawn("${DD_BIN}", ["if=/dev/zero", "of=/dev/null", "bs=1", "count=${N}"], { stdio: "ignore" });\n` +
        `const done = new Promise((res) => dd.on("exit", res));\nlet running = true; void done.then(() => { running = false; });\n` +
        `let sum = 0n, reads = 0, nonEmpty = 0;\n` +
        `while (running) { await sleep(5); const e = takes.maps.per_cpu.entriesAndClear(); reads++; if (e.length) nonEmpty++; for (const [, v] of e) sum += v as bigint; }\n` +
        `for (const [, v] of takes.maps.per_cpu.itemsLookupAndDeleteBatch()) sum += v as bigint;\n` +
        `JSON.stringify({ sum: Number(sum), reads, nonEmpty, left: takes.maps.per_cpu.size })`,
      {}, 120_000));
    console.log(`read-and-clear: ${JSON.stringify(r)} (dd made ${N} one-byte reads)`);
    expect(r.nonEmpty).toBeGreaterThan(2);
    expect(r.sum).toBe(N);
    expect(r.left).toBe(0);
    // watch's per-interval view reads with the same call
    const w = json(await k.execute(
      `takes.maps.per_cpu.set(0, 5n);\nconst frames = await takes.maps.per_cpu.watch({ every: 100, for: 250, clear: true });\n` +
        `JSON.stringify({ frames, left: takes.maps.per_cpu.size })`, {}, 30_000));
    expect(w.frames).toBeGreaterThanOrEqual(2);
    expect(w.left).toBe(0);
    const bad = await k.execute(`await takes.maps.per_cpu.watch({ view: "line", clear: true, for: 100 })`);
    expect(String(bad.reply.content.evalue)).toMatch(/clear is for the table and histogram views/);
    ok(await k.execute("takes.close()"));
  });
});
