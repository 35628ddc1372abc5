/**
 * %probes and the probe-aware completion of %%bpf blocks, through a real
 * Jupyter client and the kernel process: tracepoints against tracefs itself,
 * formats, uprobe symbols of a binary built here, USDT notes of Debian's
 * python3.11, errors, and completion/inspection of probe names and args->.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { CLI, KernelClient, type Execution } from "../support/kernel-client.js";
import { stripAnsi } from "../../magics/diagnostics/ansi.js";
import { listUsdt } from "../../magics/usdt/list.js";

const built = existsSync(CLI);
if (!built) console.log(`skipping %probes tests: ${CLI} is not built (npx tsc -p tsconfig.json)`);
const TRACEFS = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"].find((r) => existsSync(join(r, "events")));
if (!TRACEFS) console.log("skipping the tracepoint parts of the %probes tests: tracefs is not mounted");
const PYTHON = "/usr/bin/python3.11";

const result = (x: Execution) => x.outputs.find((m) => m.header.msg_type === "execute_result" || m.header.msg_type === "display_data");
const plain = (x: Execution) => (result(x)?.content.data["text/plain"] as string | undefined) ?? "";
const ok = (x: Execution) => {
  if (x.reply.content.status !== "ok") throw new Error(`cell failed: ${x.reply.content.ename}: ${x.reply.content.evalue}\n${stripAnsi((x.reply.content.traceback ?? []).join("\n"))}`);
  return x;
};
/** The probe names of a %probes table: its rows' first column. */
const probeNames = (x: Execution) =>
  plain(x)
    .split("\n")
    .map((l) => l.split(/\s+/)[0])
    .filter((w) => /^(tracepoint|rawtracepoint|kfunc|uprobe|usdt):/.test(w));

let dir: string;
let bin: string;
let k: KernelClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ibcc-probes-"));
  bin = join(dir, "target");
  writeFileSync(
    join(dir, "target.c"),
    `__attribute__((noinline)) int ibcc_probe_alpha(int x) { __asm__ volatile(""); return x + 1; }
__attribute__((noinline)) int ibcc_probe_beta(int x) { __asm__ volatile(""); return x * 2; }
int main(int argc, char **argv) { return ibcc_probe_alpha(argc) + ibcc_probe_beta(argc) == -1; }
`,
  );
  execFileSync("cc", ["-O1", "-o", bin, join(dir, "target.c")]);
  if (built) k = await KernelClient.start();
});
afterAll(async () => {
  await k?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!built)("%probes", () => {
  it.skipIf(!TRACEFS)("lists the sched tracepoints tracefs has, quickly, and caches the walk", async () => {
    const expected = readdirSync(join(TRACEFS!, "events/sched")).filter((e) => statSync(join(TRACEFS!, "events/sched", e)).isDirectory());
    let t = performance.now();
    const first = ok(await k.execute("%probes tracepoint:sched:*"));
    const firstMs = performance.now() - t;
    t = performance.now();
    const again = ok(await k.execute("%probes tracepoint:sched:*"));
    const againMs = performance.now() - t;
    t = performance.now();
    const all = ok(await k.execute("%probes t:*:* --limit 0", {}, 60_000));
    const allMs = performance.now() - t;
    const allCount = probeNames(all).length;
    console.log(
      `%probes tracepoint:sched:* (${expected.length}): first ${firstMs.toFixed(0)} ms, cached ${againMs.toFixed(0)} ms; ` +
        `all ${allCount} tracepoints: ${allMs.toFixed(0)} ms (round trips through the client)`,
    );
    expect(probeNames(first).sort()).toEqual(expected.map((e) => `tracepoint:sched:${e}`).sort());
    expect(plain(first)).toMatch(new RegExp(`^${expected.length} probes match tracepoint:sched:\\* \\(${expected.length} tracepoint\\)`));
    expect(probeNames(again)).toEqual(probeNames(first));
    expect(Object.keys(result(first)!.content.data)).toEqual(expect.arrayContaining(["text/html", "text/plain"]));
    const tpDirs = readdirSync(join(TRACEFS!, "events"), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .reduce((n, d) => n + readdirSync(join(TRACEFS!, "events", d.name), { withFileTypes: true }).filter((e) => e.isDirectory()).length, 0);
    expect(allCount).toBe(tpDirs);
    expect(againMs).toBeLessThan(1000);
  });

  it.skipIf(!TRACEFS)("shows argument formats with -v, without the common_ fields", async () => {
    const x = ok(await k.execute("%probes tracepoint:sched:sched_switch -v"));
    const text = plain(x);
    console.log(text);
    expect(text).toMatch(/pid_t prev_pid/);
    expect(text).toMatch(/char prev_comm\[16\]/);
    expect(text).not.toMatch(/common_pid/);
    expect(result(x)!.content.data["text/html"]).toMatch(/prev_pid/);
  });

  it("matches bare words anywhere and marks kfuncs this kernel refuses", async () => {
    const x = ok(await k.execute("%probes sched_switch", {}, 60_000));
    const names = probeNames(x);
    console.log(plain(x).split("\n")[0]);
    if (TRACEFS) expect(names).toContain("tracepoint:sched:sched_switch");
    if (existsSync("/sys/kernel/btf/vmlinux")) {
      expect(names).toContain("rawtracepoint:sched_switch");
      const kfuncs = names.filter((n) => n.startsWith("kfunc:"));
      expect(kfuncs.length).toBeGreaterThan(0);
      const features = ok(await k.execute("%features"));
      const fentryRefused = /fentry\s+no/.test(plain(features));
      if (fentryRefused) expect(plain(x)).toMatch(/kfunc:\S+\s+not attachable on this kernel/);
    }
  });

  it("lists the function symbols of a binary built here", async () => {
    const x = ok(await k.execute(`%probes uprobe:${bin}:ibcc_probe_*`));
    expect(probeNames(x)).toEqual([`uprobe:${bin}:ibcc_probe_alpha`, `uprobe:${bin}:ibcc_probe_beta`]);
    const all = probeNames(ok(await k.execute(`%probes uprobe:${bin}`)));
    expect(all).toEqual(expect.arrayContaining([`uprobe:${bin}:main`, `uprobe:${bin}:ibcc_probe_alpha`]));
  });

  it("lists the USDT probes of python3.11 with their arguments", async (t) => {
    const has = existsSync(PYTHON) && (await listUsdt(PYTHON)).length > 0;
    if (!has) {
      console.log(`skipping the python3.11 USDT check: ${PYTHON} ${existsSync(PYTHON) ? "has no SDT notes" : "is not installed"}`);
      t.skip();
      return;
    }
    const x = ok(await k.execute(`%probes usdt:${PYTHON}`));
    const text = plain(x);
    console.log(text);
    const names = probeNames(x);
    expect(names.length).toBe((await listUsdt(PYTHON)).length);
    expect(names.every((n) => n.startsWith(`usdt:${PYTHON}:python:`))).toBe(true);
    expect(names).toContain(`usdt:${PYTHON}:python:function__entry`);
    expect(text).toMatch(/python:function__entry\s+0x[0-9a-f]+\s+0x[0-9a-f]+\s+8@%\w+/);
    const only = probeNames(ok(await k.execute(`%probes usdt:${PYTHON}:python:gc__*`)));
    expect(only.sort()).toEqual([`usdt:${PYTHON}:python:gc__done`, `usdt:${PYTHON}:python:gc__start`]);
    // a live python's probes come from its executable
    const child = (await import("node:child_process")).spawn(PYTHON, ["-c", "import time; time.sleep(30)"], { stdio: "ignore" });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const byPid = probeNames(ok(await k.execute(`%probes usdt:${child.pid}`)));
      expect(byPid).toEqual(expect.arrayContaining([expect.stringMatching(/:python:function__entry$/)]));
    } finally {
      child.kill();
    }
  });

  it("says what is wrong with a bad pattern, a missing binary or a bad option", async () => {
    const cases: [string, RegExp][] = [
      ["%probes nosuchtype:x", /unknown probe type 'nosuchtype'/],
      ["%probes sched:sched_switch", /if sched is a tracepoint category: tracepoint:sched:sched_switch/],
      ["%probes tracepoint:[sched", /'\[' without its '\]'/],
      ["%probes uprobe:", /uprobe needs a binary/],
      ["%probes uprobe:/no/such/binary:*", /\/no\/such\/binary: no such file/],
      ["%probes usdt:/no/such/binary", /\/no\/such\/binary: no such file/],
      [`%probes uprobe:${join(dir, "target.c")}`, /is not an ELF file/],
      ["%probes usdt:999999999", /pid 999999999: no such process/],
      ["%probes -x", /unknown option '-x'/],
    ];
    for (const [code, re] of cases) {
      const x = await k.execute(code);
      expect(x.reply.content.status, code).toBe("error");
      expect(x.reply.content.evalue, code).toMatch(re);
    }
    // and the kernel goes on
    expect(probeNames(ok(await k.execute(`%probes uprobe:${bin}:main`)))).toEqual([`uprobe:${bin}:main`]);
  });

  it("shows in %lsmagic and prints its usage for --help", async () => {
    expect(plain(ok(await k.execute("%lsmagic")))).toMatch(/%probes/);
    const help = ok(await k.execute("%probes --help"));
    expect(help.outputs.map((m) => m.content.text ?? "").join("")).toMatch(/^%probes \[PATTERN\] \[-v\] \[--limit N\]/);
  });
});

describe.skipIf(!built)("completion of probes in %%bpf blocks", () => {
  const complete = async (code: string, cursor = code.length) => (await k.request("shell", "complete_request", { code, cursor_pos: cursor })).reply.content;
  const inspect = async (code: string, cursor: number) =>
    (await k.request("shell", "inspect_request", { code, cursor_pos: cursor, detail_level: 0 })).reply.content;

  it.skipIf(!TRACEFS)("completes tracepoint categories, events and args-> fields, and shows a field's type", async () => {
    const cat = await complete("%%bpf p\nTRACEPOINT_PROBE(sch");
    expect(cat.matches).toContain("sched");
    expect(cat.cursor_start).toBe("%%bpf p\nTRACEPOINT_PROBE(".length);
    const ev = await complete("%%bpf p\nTRACEPOINT_PROBE(sched, sched_swi");
    expect(ev.matches).toEqual(["sched_switch"]);
    const body = "const before = 1;\n%%bpf p\nTRACEPOINT_PROBE(sched, sched_switch) {\n  u32 pid = args->prev_";
    const f = await complete(body);
    console.log(`args->prev_ completes to ${f.matches.join(", ")}`);
    expect(f.matches).toEqual(["prev_comm", "prev_pid", "prev_prio", "prev_state"]);
    expect(f.cursor_start).toBe(body.length - "prev_".length);
    const full = body + "pid;\n  return 0;\n}";
    const i = await inspect(full, full.indexOf("prev_pid") + 2);
    expect(i.found).toBe(true);
    expect(i.data["text/plain"]).toMatch(/^pid_t prev_pid\n\ntracepoint sched:sched_switch, offset \d+, size 4/);
    const tp = await inspect(full, full.indexOf("sched_switch") + 2);
    expect(tp.data["text/plain"]).toMatch(/char next_comm\[16\];/);
  });

  it.skipIf(!existsSync("/sys/kernel/btf/vmlinux"))("completes raw tracepoint names", async () => {
    const r = await complete("%%bpf p\nRAW_TRACEPOINT_PROBE(sched_swi");
    expect(r.matches).toContain("sched_switch");
    const code = "%%bpf p\nRAW_TRACEPOINT_PROBE(sched_switch) { return 0; }";
    const i = await inspect(code, code.indexOf("switch"));
    expect(i.data["text/plain"]).toMatch(/\[1\] struct task_struct \*prev/);
  });

  it("completes header options and uprobe symbols of a binary", async () => {
    const o = await complete("%%bpf p --upr\nint f(void *ctx) { return 0; }", "%%bpf p --upr".length);
    expect(o.matches).toEqual(["--uprobe"]);
    expect(o.cursor_start).toBe("%%bpf p ".length);
    expect((await complete("%%bpf p --u")).matches).toEqual(expect.arrayContaining(["--uprobe", "--uretprobe"]));
    const head = `%%bpf p --uprobe ${bin}:ibcc_probe_`;
    const s = await complete(head);
    expect(s.matches).toEqual(["ibcc_probe_alpha", "ibcc_probe_beta"]);
    expect(s.cursor_start).toBe(head.length - "ibcc_probe_".length);
    expect((await complete("%%bpf p --uprobe /no/such/binary:ma")).matches).toEqual([]);
  });
});
