/**
 * USDT probes (--usdt) through a real Jupyter client and the ibcc kernel
 * process: a C program built here with <sys/sdt.h> probes (one guarded by a
 * semaphore), attached by path and by pid, its arguments read with
 * bpf_usdt_readarg; and Debian's python3.11, whose probes are all guarded.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { CLI, KernelClient, type Execution } from "../support/kernel-client.js";
import { stripAnsi } from "../../magics/diagnostics/ansi.js";

const PYTHON = "/usr/bin/python3.11";
const haveSdt = existsSync("/usr/include/x86_64-linux-gnu/sys/sdt.h") || existsSync("/usr/include/sys/sdt.h");
const built = existsSync(CLI);
if (!built) console.log(`skipping USDT tests: ${CLI} is not built (npx tsc -p tsconfig.json)`);
if (!haveSdt) console.log("skipping USDT tests on a built program: <sys/sdt.h> is missing (systemtap-sdt-dev)");
const pythonProbes = existsSync(PYTHON) && execFileSync("readelf", ["-n", PYTHON]).toString().includes("function__entry");
if (!pythonProbes) console.log(`skipping the python USDT test: ${PYTHON} is missing or has no SDT probes`);

const output = (x: Execution) => x.outputs.filter((m) => m.content.name === "stdout").map((m) => m.content.text as string).join("");
const ok = (x: Execution) => {
  if (x.reply.content.status !== "ok") throw new Error(`cell failed: ${x.reply.content.ename}: ${x.reply.content.evalue}\n${stripAnsi((x.reply.content.traceback ?? []).join("\n"))}`);
  return x;
};
const failure = (x: Execution) => stripAnsi(`${x.reply.content.evalue}\n${(x.reply.content.traceback ?? []).join("\n")}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// plain.c has no semaphores; the guarded probe's file does (sys/sdt.h decides per file).
const PLAIN_C = `#include <sys/sdt.h>
void fire_plain(long i, const char *word) { DTRACE_PROBE2(ibcc, plain, i, word); }
`;
const SAMPLE_C = `#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
unsigned short ibcc_guarded_semaphore __attribute__((section(".probes")));
void fire_plain(long i, const char *word);
/* argv[1] rounds (0: until killed), argv[2] ms between rounds */
int main(int argc, char **argv) {
  long n = atol(argv[1]), ms = argc > 2 ? atol(argv[2]) : 0;
  /* on the stack: BPF cannot fault in a page of .rodata the program never touched */
  char word[] = "hello usdt";
  for (long i = 1; n == 0 || i <= n; i++) {
    fire_plain(i, word);
    if (ibcc_guarded_semaphore) DTRACE_PROBE2(ibcc, guarded, i * 10, word);
    if (ms) usleep(ms * 1000);
  }
  printf("semaphore=%d\\n", ibcc_guarded_semaphore);
  return 0;
}
`;

const BODY = `#include <uapi/linux/ptrace.h>
struct word_t { char s[16]; };
BPF_HASH(plain_seen, u64, struct word_t);
BPF_HASH(guarded_seen, u64, struct word_t);
int on_plain(struct pt_regs *ctx) {
  u64 i = 0, addr = 0;
  struct word_t w = {};
  bpf_usdt_readarg(1, ctx, &i);
  bpf_usdt_readarg(2, ctx, &addr);
  bpf_probe_read_user_str(&w.s, sizeof(w.s), (void *)addr);
  plain_seen.update(&i, &w);
  return 0;
}
int on_guarded(struct pt_regs *ctx) {
  u64 i = 0;
  struct word_t w = {};
  bpf_usdt_readarg(1, ctx, &i);
  bpf_usdt_readarg_p(2, ctx, &w.s, sizeof(w.s));
  guarded_seen.update(&i, &w);
  return 0;
}`;

/** A map's entries as [key, word] sorted by key. */
const SEEN = (p: string, map: string) =>
  `console.log(JSON.stringify([...${p}.maps.${map}.entries()].map(([k, v]) => [Number(k), v.s]).sort((a, b) => a[0] - b[0])))`;

describe.skipIf(!built)("USDT probes through a Jupyter client", () => {
  let k: KernelClient;
  let dir: string;
  let bin: string;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ibcc-usdt-"));
    bin = join(dir, "sample");
    if (haveSdt) {
      writeFileSync(join(dir, "plain.c"), PLAIN_C);
      writeFileSync(join(dir, "sample.c"), SAMPLE_C);
      execFileSync("gcc", ["-O1", "-o", bin, join(dir, "sample.c"), join(dir, "plain.c")]);
    }
    k = await KernelClient.start();
  }, 60_000);
  afterAll(async () => {
    for (const c of children) c.kill("SIGKILL");
    await k?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!haveSdt)("attaches by path: reads an integer and a string argument, and the semaphore-guarded probe fires", async () => {
    ok(await k.execute(`%%bpf bypath --usdt ${bin}:plain=on_plain --usdt ${bin}:ibcc:guarded=on_guarded\n${BODY}`, {}, 60_000));
    // The kernel raised the semaphore (the uprobe's reference counter) as the process started.
    expect(execFileSync(bin, ["5"]).toString()).toBe("semaphore=1\n");
    const plain = JSON.parse(output(ok(await k.execute(SEEN("bypath", "plain_seen")))));
    const guarded = JSON.parse(output(ok(await k.execute(SEEN("bypath", "guarded_seen")))));
    console.log(`by path: plain ${JSON.stringify(plain)}, guarded ${JSON.stringify(guarded)}`);
    expect(plain).toEqual([1, 2, 3, 4, 5].map((i) => [i, "hello usdt"]));
    expect(guarded).toEqual([10, 20, 30, 40, 50].map((i) => [i, "hello usdt"]));
    ok(await k.execute("bypath.close(); await bypath.settled"));
    expect(execFileSync(bin, ["1"]).toString()).toBe("semaphore=0\n");
  }, 120_000);

  it.skipIf(!haveSdt)("attaches by pid: libbcc raises the semaphore in that process", async () => {
    const child = spawn(bin, ["0", "10"], { stdio: "ignore" });
    children.push(child);
    const pid = child.pid!;
    // until the fork has become the sample (its probes are read from what it maps)
    for (let i = 0; i < 100 && readlinkSync(`/proc/${pid}/exe`) !== bin; i++) await sleep(20);
    ok(await k.execute(`%%bpf bypid --usdt ${pid}:plain=on_plain --usdt ${pid}:guarded=on_guarded\n${BODY}`, {}, 60_000));
    await sleep(400);
    const plain: [number, string][] = JSON.parse(output(ok(await k.execute(SEEN("bypid", "plain_seen")))));
    const guarded: [number, string][] = JSON.parse(output(ok(await k.execute(SEEN("bypid", "guarded_seen")))));
    console.log(`by pid ${pid}: ${plain.length} plain (${plain[0]?.[0]}..${plain.at(-1)?.[0]}), ${guarded.length} guarded (${guarded[0]?.[0]}..${guarded.at(-1)?.[0]})`);
    expect(plain.length).toBeGreaterThan(5);
    expect(guarded.length).toBeGreaterThan(5);
    // Consecutive rounds, each word read in full; the guarded probe passes i * 10.
    for (let j = 1; j < plain.length; j++) expect(plain[j][0]).toBe(plain[j - 1][0] + 1);
    expect(plain.every(([, w]) => w === "hello usdt")).toBe(true);
    expect(guarded.every(([i, w]) => i % 10 === 0 && w === "hello usdt")).toBe(true);
    ok(await k.execute("bypid.close()"));
    child.kill("SIGKILL");
  }, 120_000);

  it.skipIf(!haveSdt)("names the probes that exist when the probe is not there", async () => {
    const x = await k.execute(`%%bpf bad --usdt ${bin}:nope=on_plain\n${BODY}`, {}, 60_000);
    const msg = failure(x);
    console.log(msg.split("\n")[0]);
    expect(x.reply.content.ename).toBe("UsdtError");
    expect(msg).toMatch(new RegExp(`${bin}: no USDT probe nope; its probes are .*ibcc:plain`));
    expect(msg).toMatch(/ibcc:guarded/);
    const y = await k.execute(`%%bpf bad --usdt 999999999:plain=on_plain\n${BODY}`, {}, 60_000);
    expect(failure(y)).toMatch(/process 999999999: no such process/);
    const z = await k.execute(`%%bpf bad --usdt /lib/x86_64-linux-gnu/libc.so.6:setjmp=on_plain\n${BODY}`, {}, 60_000);
    console.log(`libc: ${failure(z).split("\n")[0]}`);
    expect(failure(z)).toMatch(/no USDT probe setjmp; (it has no USDT probes|its probes are)/);
  }, 120_000);

  it.skipIf(!haveSdt)("keeps compile errors on the cell's own lines with the argument readers in front", async () => {
    const body = BODY.replace("bpf_usdt_readarg(1, ctx, &i);\n  bpf_usdt_readarg(2", "bpf_usdt_readarg(1, ctx, &i);\n  undefined_thing = 1;\n  bpf_usdt_readarg(2");
    const line = body.split("\n").findIndex((l) => l.includes("undefined_thing")) + 2; // the header is cell line 1
    const x = await k.execute(`%%bpf lines --usdt ${bin}:plain=on_plain\n${body}`, {}, 60_000);
    const msg = failure(x);
    console.log(msg.split("\n").find((l) => /cell line/.test(l)));
    expect(msg).toMatch(new RegExp(`cell line ${line}\\b[^\\n]*undefined_thing|cell line ${line}, col \\d+: error: use of undeclared identifier 'undefined_thing'`));
  }, 120_000);

  it.skipIf(!pythonProbes)("counts a python3.11 process's function calls (ucalls), by pid and by path", async () => {
    // CPython 3.11 reaches its function__entry probe only while a profiler or
    // tracer is set (the check sits in its tracing path): cProfile's is in C.
    const script = "import sys, cProfile\ncProfile.Profile().enable()\ndef ibcc_tick(): pass\ndef ibcc_tock(): pass\n" +
      "for line in sys.stdin:\n  for _ in range(int(line)): ibcc_tick(); ibcc_tock()\n  print('done', flush=True)\n";
    const py = spawn(PYTHON, ["-c", script], { stdio: ["pipe", "pipe", "ignore"] });
    children.push(py);
    const round = (n: number) => new Promise<void>((resolve) => {
      py.stdout!.once("data", () => resolve());
      py.stdin!.write(`${n}\n`);
    });
    await round(1); // python is up
    const ucalls = (name: string, target: string) => `%%bpf ${name} --usdt ${target}:python:function__entry=on_entry
#include <uapi/linux/ptrace.h>
struct fn_t { char name[32]; };
BPF_HASH(calls, struct fn_t, u64);
int on_entry(struct pt_regs *ctx) {
  struct fn_t f = {};
  bpf_usdt_readarg_p(2, ctx, &f.name, sizeof(f.name));
  calls.increment(f);
  return 0;
}`;
    const count = (name: string) =>
      `{ const c = Object.fromEntries([...${name}.maps.calls.entries()].map(([k, v]) => [k.name, Number(v)])); console.log(JSON.stringify([c.ibcc_tick ?? 0, c.ibcc_tock ?? 0])) }`;
    ok(await k.execute(ucalls("bypid", String(py.pid)), {}, 60_000));
    await round(1000);
    const byPid = JSON.parse(output(ok(await k.execute(count("bypid")))));
    ok(await k.execute("bypid.close()"));
    // By path the kernel raises the semaphore, in the running process too.
    ok(await k.execute(ucalls("bypy", PYTHON), {}, 60_000));
    await round(700);
    const byPath = JSON.parse(output(ok(await k.execute(count("bypy")))));
    ok(await k.execute("bypy.close()"));
    console.log(`python3.11 ${py.pid}: by pid ${byPid}, by path ${byPath} (tick, tock)`);
    expect(byPid).toEqual([1000, 1000]);
    expect(byPath).toEqual([700, 700]);
    py.kill("SIGKILL");
  }, 120_000);
});

describe.skipIf(!haveSdt)("USDT handles", () => {
  let dir: string;
  let bin: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "ibcc-usdt-h-"));
    bin = join(dir, "sample");
    writeFileSync(join(dir, "plain.c"), PLAIN_C);
    writeFileSync(join(dir, "sample.c"), SAMPLE_C);
    execFileSync("gcc", ["-O1", "-o", bin, join(dir, "sample.c"), join(dir, "plain.c")]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("closes the USDT contexts with the program, and on every failure", async () => {
    const { BPF } = await import("../../magics/bpf.js");
    const { openHandles, settled } = await import("../../native/index.js");
    const before = openHandles();
    const p = await BPF.load({ text: BODY, attach: `--usdt ${bin}:plain=on_plain --usdt ${bin}:guarded=on_guarded` });
    // a module, two programs, two uprobes and the contexts
    expect(openHandles()).toBe(before + 6);
    p.close();
    await settled();
    expect(openHandles()).toBe(before);
    // after the contexts opened: a compile error, a function the text lacks, a probe given twice
    await expect(BPF.load({ text: BODY + "\nint broken(", attach: `--usdt ${bin}:plain=on_plain` })).rejects.toThrow(/compile|error/);
    await expect(BPF.load({ text: BODY, attach: `--usdt ${bin}:plain=nowhere` })).rejects.toThrow(/compiled block does not have/);
    await expect(BPF.load({ text: BODY, attach: `--usdt ${bin}:plain=on_plain --usdt ${bin}:plain=on_guarded` })).rejects.toThrow(/cannot enable ibcc:plain/);
    // bpf_usdt_readarg with no --usdt: said before compiling, not left to the verifier
    await expect(BPF.load({ text: BODY, attach: `--uprobe ${bin}:fire_plain=on_plain` })).rejects.toThrow(/no --usdt option attaches one/);
    await expect(BPF.load({ text: BODY, attach: `--usdt ${bin}:plain=on_plain --usdt ${bin}:guarded=on_plain` })).rejects.toThrow(/on_plain\(\) is given to more than one --usdt probe/);
    await settled();
    expect(openHandles()).toBe(before);
  });

  it("explains a plain uprobe refused at a semaphore-guarded probe's address, and leaves no tracefs event", async () => {
    const { BPF } = await import("../../magics/bpf.js");
    const notes = execFileSync("readelf", ["-n", bin], { encoding: "utf8" });
    const at = /Name: guarded\s+Location: (0x[0-9a-f]+)/.exec(notes)![1];
    const usdt = await BPF.load({ text: BODY, attach: `--usdt ${bin}:guarded=on_guarded` });
    try {
      const e = await BPF.load({ text: "int f(struct pt_regs *ctx) { return 0; }", attach: `--uprobe ${bin}:${at}=f` }).then(() => undefined, (x) => x);
      console.log(`plain uprobe at ${at}: ${String(e?.message).split("\n")[0]}`);
      expect(e?.message).toMatch(/EINVAL/);
      expect((e?.traceback ?? []).join("\n")).toMatch(/ref_ctr_offset/);
      expect(readFileSync("/sys/kernel/tracing/uprobe_events", "utf8")).not.toMatch(new RegExp(`_bcc_${process.pid}\\b`));
    } finally {
      usdt.close();
    }
  });
});
