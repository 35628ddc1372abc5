import { release } from "node:os";
/**
 * The BPF side through a real Jupyter client and the ibcc kernel process
 * (dist/kernel/cli.js, built by `npx tsc`): outputs, errors, interrupts,
 * detaching, and what a killed kernel leaves behind.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { statsState } from "../../native/introspect.js";
import { CLI, KernelClient, type Execution } from "../support/kernel-client.js";
import { loadedProgramIds } from "./context.js";
import { stripAnsi } from "../../magics/diagnostics/ansi.js";

const built = existsSync(CLI);
if (!built) console.log(`skipping kernel tests: ${CLI} is not built (npx tsc -p tsconfig.json)`);

const COUNT = "%%bpf cnt\nBPF_ARRAY(n, u64, 1);\nTRACEPOINT_PROBE(raw_syscalls, sys_enter) { int z = 0; n.increment(z); return 0; }";
const SNOOP =
  "%%bpf snoop\nstruct exec_t { u32 pid; char comm[16]; };\nBPF_RINGBUF_OUTPUT(execs, 16);\n" +
  "TRACEPOINT_PROBE(sched, sched_process_exec) {\n  struct exec_t e = {};\n  e.pid = bpf_get_current_pid_tgid() >> 32;\n" +
  "  bpf_get_current_comm(&e.comm, sizeof(e.comm));\n  execs.ringbuf_output(&e, sizeof(e), 0);\n  return 0;\n}";

const text = (x: Execution) =>
  x.outputs.map((m) => (m.content.data?.["text/plain"] as string | undefined) ?? (m.content.text as string | undefined) ?? "").join("\n");
const ids = (x: Execution) => (text(x).match(/\d+/g) ?? []).map(Number);
const ok = (x: Execution) => {
  if (x.reply.content.status !== "ok") throw new Error(`cell failed: ${x.reply.content.ename}: ${x.reply.content.evalue}\n${stripAnsi((x.reply.content.traceback ?? []).join("\n"))}`);
  return x;
};

/** Pids holding a BPF_ENABLE_STATS fd. */
const statsHolders = () => statsState().holders.map((h) => h.pid);

async function gone(list: number[], ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    const now = loadedProgramIds();
    if (list.every((id) => !now.includes(id))) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!built)("BPF cells through a Jupyter client", () => {
  let k: KernelClient;
  beforeAll(async () => {
    k = await KernelClient.start();
  });
  afterAll(async () => {
    await k?.close();
  });

  it("attaches a block, says the headers are not this kernel's, and shows the summary", async () => {
    const x = ok(await k.execute(COUNT, {}, 60_000));
    const note = x.outputs.find((m) => m.header.msg_type === "display_data");
    console.log(note?.content.data["text/plain"]);
    expect(note?.content.data["text/plain"]).toMatch(/kernel headers are for .*not the running kernel/);
    expect(x.outputs.some((m) => m.header.msg_type === "stream" && m.content.name === "stderr")).toBe(false);
    const result = x.outputs.find((m) => m.header.msg_type === "execute_result");
    expect(Object.keys(result!.content.data)).toEqual(expect.arrayContaining(["text/html", "text/plain"]));
    expect(result!.content.data["text/plain"]).toMatch(/tracepoint raw_syscalls:sys_enter/);
    const v = ok(await k.execute("typeof cnt.maps.n.get(0)"));
    expect(text(v)).toMatch(/bigint/);
    const table = ok(await k.execute("cnt.maps.n")).outputs.find((m) => m.header.msg_type === "execute_result")!;
    expect(Object.keys(table.content.data)).toEqual(expect.arrayContaining(["text/html", "text/plain"]));
    expect(table.content.data["text/plain"]).toMatch(/key\s+value/);
    // the binding's type text reaches completion
    const code = "cnt.maps.";
    const c = await k.request("shell", "complete_request", { code, cursor_pos: code.length });
    console.log(`completions of cnt.maps.: ${c.reply.content.matches.join(", ")}`);
    expect(c.reply.content.matches).toContain("n");
    const code2 = "cnt.maps.n.ge";
    const c2 = await k.request("shell", "complete_request", { code: code2, cursor_pos: code2.length });
    expect(c2.reply.content.matches).toContain("get");
  });

  it("draws a histogram as a chart bundle without HTML", async () => {
    ok(await k.execute("%%bpf h\nBPF_HISTOGRAM(dist);\nTRACEPOINT_PROBE(raw_syscalls, sys_enter) { dist.increment(bpf_log2l(args->id)); return 0; }", {}, 60_000));
    const x = ok(await k.execute("h.maps.dist.histogram({ unit: 'syscall nr' })", {}, 60_000));
    const result = x.outputs.find((m) => m.header.msg_type === "execute_result")!;
    const mimes = Object.keys(result.content.data);
    console.log(`histogram bundle: ${mimes.join(", ")}`);
    expect(mimes).toEqual(expect.arrayContaining(["application/vnd.vegalite.v5+json", "text/plain"]));
    expect(mimes).not.toContain("text/html");
    expect(result.content.data["text/plain"]).toMatch(/syscall nr\s+: count\s+distribution/);
    // what reproduces the view travels in the output's metadata
    const meta = result.content.metadata.ibcc;
    console.log(`histogram metadata: ${JSON.stringify(meta)}`);
    expect(meta).toMatchObject({ view: "histogram", kernelRelease: release(), libbccVersion: expect.stringMatching(/^0\.\d+/) });
    expect(meta.programTag).toMatch(/^[0-9a-f]{16}$/);
    expect(Date.parse(meta.captureWindow.end)).toBeGreaterThanOrEqual(Date.parse(meta.captureWindow.start));
    ok(await k.execute("%detach h"));
  });

  it("reports a compile error on the cell's own line", async () => {
    const x = await k.execute("const before = 1;\n\n%%bpf bad\nBPF_HASH(h, u32, u64);\nint f(void) { return undefined_thing; }", {}, 60_000);
    expect(x.reply.content.status).toBe("error");
    const tb = stripAnsi(x.reply.content.traceback.join("\n"));
    console.log(tb);
    expect(tb).toMatch(/cell line 5, col \d+: error: use of undeclared identifier 'undefined_thing'/);
  });

  it("stops an event stream on interrupt and stays usable", async () => {
    ok(await k.execute(SNOOP, {}, 60_000));
    const running = k.execute('let seen = 0;\nfor await (const e of snoop.events("execs")) seen++;\nseen', {}, 30_000);
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = Date.now();
    await k.interrupt();
    const x = await running;
    console.log(`stream cell ended ${Date.now() - t0} ms after the interrupt, status ${x.reply.content.status}`);
    expect(text(ok(await k.execute("snoop.closed")))).toMatch(/false/);
    expect(text(ok(await k.execute("1 + 1")))).toMatch(/2/);
  });

  it("updates a watch in place until interrupted", async () => {
    const running = k.execute("await cnt.maps.n.watch({ every: 200 })", {}, 30_000);
    await new Promise((r) => setTimeout(r, 1500));
    await k.interrupt();
    const x = await running;
    const shown = x.outputs.filter((m) => m.header.msg_type === "display_data");
    const updates = x.outputs.filter((m) => m.header.msg_type === "update_display_data");
    console.log(`watch: ${shown.length} display, ${updates.length} updates, status ${x.reply.content.status}`);
    expect(shown.length).toBe(1);
    expect(updates.length).toBeGreaterThan(1);
    expect(updates.every((u) => u.content.transient.display_id === shown[0].content.transient.display_id)).toBe(true);
  });

  it("lists programs and maps, and detaches by name", async () => {
    const cntIds = ids(ok(await k.execute("JSON.stringify(cnt.ids)")));
    expect(cntIds.length).toBe(1);
    // id, type, name, tag, "this kernel" (our NAME), run count, run time, ns/run, maps, loaded, insns
    const row = (t: string) =>
      new RegExp(String.raw`\n\s*${cntIds[0]}\s+tracepoint\s+tracepoint__raw_syscalls__sys_enter\s+([0-9a-f]{16})\s+cnt\s+([\d,]+)\s+(0|[\d.]+ [nµm]?s)\s+(\d+|-)\s`).exec(t);
    const bps = text(ok(await k.execute("%bps")));
    console.log(bps.split("\n").filter((l) => /BPF programs loaded|BPF statistics|\scnt\s/.test(l) || /^\s*id\s/.test(l)).join("\n"));
    expect(row(bps), bps).not.toBeNull();
    const tag = JSON.parse(execFileSync("bpftool", ["-j", "prog", "show", "id", String(cntIds[0])], { encoding: "utf8" })).tag;
    expect(row(bps)![1]).toBe(tag);
    expect(bps).toMatch(/\d+ BPF programs loaded, [1-9]\d* of them this kernel's/);
    // The first %bps turns statistics on with an fd the kernel holds (unless they were on already).
    expect(bps).toMatch(/BPF statistics: on (from now: this %bps turned them on|\(.*this kernel holds BPF_ENABLE_STATS)/);
    expect(statsHolders()).toContain(k.proc.pid);
    await new Promise((r) => setTimeout(r, 300)); // raw_syscalls:sys_enter fires all the time
    const again = text(ok(await k.execute("%bps")));
    expect(again).toMatch(/BPF statistics: on \(.*this kernel holds BPF_ENABLE_STATS since \d\d:\d\d:\d\d/);
    const [, , count, time, perRun] = row(again)!;
    console.log(`%bps: cnt ran ${count} times, ${time}, ${perRun} ns per run`);
    expect(Number(count.replace(/,/g, ""))).toBeGreaterThan(0);
    expect(time).not.toBe("0");
    expect(perRun).toMatch(/^\d+$/);
    const one = text(ok(await k.execute(`%bps ${cntIds[0]}`)));
    expect(one).toMatch(/run count\s*:\s*[1-9][\d,]*/);
    expect(one).toMatch(/BPF statistics: on/);
    // Off: the kernel lets go of its fd and the listing says so.
    const off = text(ok(await k.execute("%bps --stats off")));
    expect(statsHolders()).not.toContain(k.proc.pid);
    if (!statsState().on) expect(off).toMatch(/BPF statistics: off \(turned off by %bps --stats off\).*do not grow/);
    expect((await k.execute("%bps --stats maybe")).reply.content.evalue).toMatch(/takes on or off, not 'maybe'/);
    ok(await k.execute("%bps --stats on"));
    expect(statsHolders()).toContain(k.proc.pid);
    expect(text(ok(await k.execute("%maps")))).toMatch(/snoop\s+execs\s+ringbuf/);
    ok(await k.execute("%detach cnt"));
    expect(await gone(cntIds)).toBe(true);
    expect((await k.execute("%detach nothing_here")).reply.content.evalue).toMatch(/no program named nothing_here/);
  });

  it("completes and documents BPF helpers inside a %%bpf block", async () => {
    const code = "const x = 1;\n%%bpf y\nint f(void *ctx) { u64 t = bpf_ktime_g";
    const c = await k.request("shell", "complete_request", { code, cursor_pos: code.length });
    expect(c.reply.content.matches).toEqual(["bpf_ktime_get_boot_ns", "bpf_ktime_get_ns"]);
    expect(c.reply.content.cursor_start).toBe(code.length - "bpf_ktime_g".length);
    const code2 = "%%bpf y\nint f(void *ctx) { return bpf_get_current_pid_tgid() > 0; }";
    const i = await k.request("shell", "inspect_request", { code: code2, cursor_pos: code2.indexOf("pid_tgid"), detail_level: 0 });
    expect(i.reply.content.found).toBe(true);
    expect(i.reply.content.data["text/plain"]).toMatch(/u64 bpf_get_current_pid_tgid\(void\)/);
  });

  it("shows the kernel's BPF features and one program's details", async () => {
    const f = text(ok(await k.execute("%features")));
    expect(f).toMatch(/kprobe\s+no\s+/);
    expect(f).toMatch(/tracepoint\s+yes/);
    const snoopIds = ids(ok(await k.execute("JSON.stringify(snoop.ids)")));
    const one = text(ok(await k.execute(`%bps ${snoopIds[0]}`)));
    expect(one).toMatch(/ibcc program\s*:\s*snoop/);
    expect(one).toMatch(/ringbuf/);
  });

  it("detaches everything on shutdown", async () => {
    const snoopIds = ids(ok(await k.execute("JSON.stringify(snoop.ids)")));
    expect(loadedProgramIds()).toEqual(expect.arrayContaining(snoopIds));
    const t0 = Date.now();
    await k.shutdown();
    console.log(`shutdown took ${Date.now() - t0} ms`);
    expect(await gone(snoopIds)).toBe(true);
  });
});

describe.skipIf(!built)("a killed kernel", () => {
  it("leaves nothing loaded after SIGKILL during a stream", async () => {
    const before = loadedProgramIds();
    const k = await KernelClient.start();
    try {
      ok(await k.execute(SNOOP, {}, 60_000));
      const mine = ids(ok(await k.execute("JSON.stringify(snoop.ids)")));
      expect(loadedProgramIds()).toEqual(expect.arrayContaining(mine));
      void k.execute('for await (const e of snoop.events("execs")) {}', {}, 30_000).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 1000));
      await k.kill();
      expect(await gone(mine)).toBe(true);
      console.log(`bpftool prog show: ${before.length} before the kernel, ${loadedProgramIds().length} after SIGKILL`);
    } finally {
      await k.close();
    }
  });
});
