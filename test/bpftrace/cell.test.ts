/**
 * %%bpftrace cells through a real Jupyter client: Debian's bpftrace attached
 * to the real kernel, on workloads this test makes under a comm of its own
 * (a copy of dd), so other work on the machine stays out of the counts.
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, type Execution, type Msg } from "../support/kernel-client.js";
import { findExecutable } from "../../magics/bpftrace/run.js";

const HAVE = findExecutable("bpftrace") !== undefined;
if (!HAVE) console.log("skipping %%bpftrace tests: bpftrace is not installed (apt-get install -y bpftrace)");

const dir = mkdtempSync(join(tmpdir(), "ibcc-bpftrace-"));
const comm = `btw${process.pid % 100000}`;
const dd = join(dir, comm);
copyFileSync("/bin/dd", dd);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `count` writes of `bs` bytes each by our dd, and nothing else written. */
const writes = (bs: number, count: number): void => {
  execFileSync(dd, ["if=/dev/zero", "of=/dev/null", `bs=${bs}`, `count=${count}`, "status=none"], { stdio: "ignore" });
};

let k: KernelClient;
beforeAll(async () => {
  if (HAVE) k = await KernelClient.start();
}, 60_000);
afterAll(async () => {
  await k?.close();
});

const text = (m: Msg): string => String((m.content.data as Record<string, unknown> | undefined)?.["text/plain"] ?? m.content.text ?? "");
const displays = (x: Execution) => x.outputs.filter((m) => m.header.msg_type === "display_data");
const outputText = (x: Execution) => x.outputs.map(text).join("\n");

/** Sends `code`, runs `work` once bpftrace has attached, and collects the execution. */
async function runWith(code: string, work: () => void | Promise<void>, timeoutMs = 60_000): Promise<Execution> {
  const id = k.send("shell", "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false });
  const first = await k.waitFor(
    (m, ch) =>
      m.parent_header.msg_id === id &&
      ((ch === "iopub" && m.header.msg_type === "stream" && /Attaching \d+ probe/.test(String(m.content.text))) || ch === "shell"),
    timeoutMs,
  );
  if (first.header.msg_type === "stream") await work();
  const x = await k.collect("shell", id, timeoutMs);
  return { ...x, outputs: x.iopub.filter((m) => !["status", "execute_input"].includes(m.header.msg_type)) };
}

/** The value of a TypeScript expression in the kernel, through JSON. */
async function evaluate<T = unknown>(expr: string): Promise<T> {
  const x = await k.execute(`console.log(JSON.stringify(${expr}))`);
  expect(x.reply.content.status, String(x.reply.content.evalue)).toBe("ok");
  return JSON.parse(KernelClient.stdout(x)) as T;
}

/** Every bpftrace process on the machine whose command line has `marker`. */
function bpftraceWith(marker: string): number[] {
  const out = execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" });
  return out
    .split("\n")
    .filter((l) => l.includes("bpftrace -f json") && l.includes(marker) && !l.includes("ps -eo"))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

describe.skipIf(!HAVE)("%%bpftrace", () => {
  it("counts by comm into a table, bound to NAME", async () => {
    const x = await runWith(`%%bpftrace cnt --for 3\ntracepoint:syscalls:sys_enter_write /comm == "${comm}"/ { @[comm] = count(); }`, () => writes(10, 5));
    expect(x.reply.content.status, String(x.reply.content.evalue)).toBe("ok");
    const table = displays(x).find((m) => "text/html" in (m.content.data as object));
    expect(table, outputText(x)).toBeDefined();
    expect(text(table!)).toMatch(new RegExp(`${comm}\\s+5`));
    expect(await evaluate(`[cnt.maps['@'].kind, cnt.maps['@'].get(${JSON.stringify(comm)}), cnt.running]`)).toEqual(["map", 5, false]);
  }, 60_000);

  it("hist: exact log2 buckets of known write sizes, as the histogram bundle", async () => {
    const x = await runWith(`%%bpftrace h --for 3\ntracepoint:syscalls:sys_enter_write /comm == "${comm}"/ { @sizes = hist(args->count); }`, () => {
      writes(100, 3); // 64 -> 127
      writes(1000, 2); // 512 -> 1023
      writes(1, 4); // 0 -> 1
    });
    expect(x.reply.content.status, String(x.reply.content.evalue)).toBe("ok");
    const chart = displays(x).find((m) => "application/vnd.vegalite.v5+json" in (m.content.data as object));
    expect(chart, outputText(x)).toBeDefined();
    const data = chart!.content.data as Record<string, unknown>;
    expect(Object.keys(data).sort()).toEqual(["application/vnd.vegalite.v5+json", "image/png", "image/svg+xml", "text/plain"]);
    const t = String(data["text/plain"]);
    console.log(t);
    const row = (lo: number, hi: number) => Number(new RegExp(String.raw`^\s*${lo} -> ${hi}\s*:\s*(\d+)`, "m").exec(t)?.[1] ?? -1);
    expect(row(0, 1)).toBe(4);
    expect(row(64, 127)).toBe(3);
    expect(row(512, 1023)).toBe(2);
    expect(row(128, 255)).toBe(0);
    expect(await evaluate("String(h.table('@sizes').histogram().total)")).toBe("9");
  }, 60_000);

  it("lhist: linear buckets, keyed hist: a section per key", async () => {
    const body = `tracepoint:syscalls:sys_enter_write /comm == "${comm}"/ { @l = lhist(args->count, 0, 1000, 250); @k[comm] = hist(args->count); }`;
    const x = await runWith(`%%bpftrace lh --for 3\n${body}`, () => {
      writes(100, 3); // [0, 249]
      writes(700, 2); // [500, 749]
      writes(5000, 1); // at or above max
    });
    expect(x.reply.content.status, String(x.reply.content.evalue)).toBe("ok");
    const [kind, linear, keyed, noted] = await evaluate<string[]>("[lh.maps.l.kind, lh.maps.l.histogram().text(), lh.maps.k.histogram().text(), lh.maps.l.text()]");
    console.log(linear, keyed);
    expect(kind).toBe("lhist");
    const lrow = (i: number) => Number(new RegExp(String.raw`^\s*${i}\s*:\s*(\d+)`, "m").exec(linear)?.[1] ?? -1);
    expect([lrow(0), lrow(1), lrow(2)]).toEqual([3, 0, 2]);
    expect(noted).toMatch(/1 at or above the lhist's max/);
    expect(keyed).toContain(`comm = ${comm}`);
    expect(keyed).toMatch(/64 -> 127\s*:\s*3/);
  }, 60_000);

  it("printf lines: a live display while it runs, NAME.lines and NAME.events()", async () => {
    const body = `tracepoint:syscalls:sys_enter_write /comm == "${comm}"/ { printf("write %d\\n", args->count); }`;
    const x = await runWith(`%%bpftrace pf --for 3 --lines 3\n${body}`, () => {
      for (let i = 1; i <= 5; i++) writes(i * 10, 1);
    });
    expect(x.reply.content.status, String(x.reply.content.evalue)).toBe("ok");
    const updates = x.outputs.filter((m) => m.header.msg_type === "update_display_data");
    const frames = [...displays(x), ...updates].map(text).filter((t) => t.startsWith("pf: "));
    expect(frames.length, outputText(x)).toBeGreaterThanOrEqual(1);
    expect(frames.at(-1)).toBe("pf: 5 lines printed, the latest 3:\nwrite 30\nwrite 40\nwrite 50");
    expect(await evaluate("pf.lines")).toEqual(["write 10", "write 20", "write 30", "write 40", "write 50"]);
    const y = await k.execute("const got: string[] = [];\nfor await (const l of pf.events()) got.push(l);\nconsole.log(JSON.stringify(got))");
    expect(JSON.parse(KernelClient.stdout(y))).toHaveLength(5);
  }, 60_000);

  it("events() streams lines of a program running in the background; refresh() reads its maps", async () => {
    const body = `tracepoint:syscalls:sys_enter_write /comm == "${comm}"/ { @n = count(); printf("w %d\\n", args->count); }`;
    const started = await k.execute(`%%bpftrace bg --background\n${body}`, {}, 60_000);
    expect(started.reply.content.status, String(started.reply.content.evalue)).toBe("ok");
    expect(KernelClient.stdout(started)).toMatch(/bg runs in the background/);
    const id = k.send("shell", "execute_request", {
      code: "const seen: string[] = [];\nfor await (const l of bg.events()) { seen.push(l); if (seen.length === 3) break; }\nconsole.log(JSON.stringify(seen))",
      silent: false, store_history: true, user_expressions: {}, allow_stdin: false,
    });
    await new Promise((r) => setTimeout(r, 500));
    writes(7, 3);
    const x = await k.collect("shell", id, 30_000);
    expect(x.reply.content.status, String(x.reply.content.evalue)).toBe("ok");
    const stdout = x.iopub.filter((m) => m.header.msg_type === "stream").map((m) => String(m.content.text)).join("");
    expect(JSON.parse(stdout)).toEqual(["w 7", "w 7", "w 7"]);
    expect(await evaluate("(await bg.refresh({ show: false })).maps.n.get()")).toBe(3);
    const stopped = await k.execute("await bg.stop()");
    expect(stopped.reply.content.status).toBe("ok");
    const shown = stopped.outputs.filter((m) => ["display_data", "execute_result"].includes(m.header.msg_type)).map(text);
    expect(shown[0]).toMatch(/3/);
    expect(shown.at(-1)).toMatch(/^bg: bpftrace exited after [\d.]+ s, 1 probe; maps: @n \(map\); 3 lines printed$/);
  }, 60_000);

  it("a syntax error is shown on its cell line with the source line and a caret", async () => {
    const code = `const before = 1;\n\n%%bpftrace bad\nBEGIN { @x = 1; }\ntracepoint:syscalls:sys_enter_write { @y = nosuchfn(1); }`;
    const x = await k.execute(code, {}, 30_000);
    expect(x.reply.content.status).toBe("error");
    const tb = (x.reply.content.traceback as string[]).join("\n").replace(/\x1b\[[0-9;]*m/g, "");
    console.log(tb);
    expect(x.reply.content.evalue).toBe("cell line 5, col 44: Unknown function: nosuchfn");
    expect(tb).toContain("    tracepoint:syscalls:sys_enter_write { @y = nosuchfn(1); }\n" + " ".repeat(4 + 43) + "^~~~~~~~");
    expect(tb).not.toMatch(/stdin:|RLIMIT_MEMLOCK/);
    // An error on the line of BEGIN, where the start marker goes in: its column is still the cell's.
    const y = await k.execute("%%bpftrace bad2\nBEGIN { @x = nosuchfn(1); }", {}, 30_000);
    expect(y.reply.content.evalue).toBe("cell line 2, col 14: Unknown function: nosuchfn");
    const tb2 = (y.reply.content.traceback as string[]).join("\n").replace(/\x1b\[[0-9;]*m/g, "");
    expect(tb2).toContain("    BEGIN { @x = nosuchfn(1); }\n" + " ".repeat(4 + 13) + "^~~~~~~~");
    expect(tb2).not.toContain("__ibcc");
  }, 30_000);

  it("a kprobe on a kernel without kprobes: bpftrace's own error, shown cleanly", async () => {
    const x = await k.execute("%%bpftrace kp\nkprobe:do_nanosleep { @ = count(); }", {}, 30_000);
    expect(x.reply.content.status).toBe("error");
    const tb = (x.reply.content.traceback as string[]).join("\n").replace(/\x1b\[[0-9;]*m/g, "");
    console.log(tb);
    expect(tb).toMatch(/kprobe:do_nanosleep/);
    expect(tb).not.toMatch(/RLIMIT_MEMLOCK/);
    expect(bpftraceWith("do_nanosleep")).toEqual([]);
  }, 30_000);

  it("interrupt: bpftrace gets SIGINT and the maps it printed are shown", async () => {
    const x = await runWith(`%%bpftrace intr\ntracepoint:syscalls:sys_enter_write /comm == "${comm}"/ { @w = count(); }`, async () => {
      writes(3, 4);
      await k.interrupt();
    });
    expect(x.reply.content.status).toBe("error");
    expect(x.reply.content.ename).toBe("Interrupted");
    const table = displays(x).find((m) => text(m).includes("@w") || /\b4\b/.test(text(m)));
    expect(table, outputText(x)).toBeDefined();
    expect(await evaluate("[intr.running, intr.maps.w.get()]")).toEqual([false, 4]);
    expect(bpftraceWith(comm).length).toBe(0);
  }, 60_000);

  it("running NAME again ends the earlier program first", async () => {
    const body = (tag: string) => `tracepoint:syscalls:sys_enter_write /comm == "${comm}"/ { @${tag} = count(); }`;
    await k.execute(`%%bpftrace again --background\n${body("first")}`, {}, 60_000);
    const first = bpftraceWith("@first");
    expect(first).toHaveLength(1);
    const x = await k.execute(`%%bpftrace again --background\n${body("second")}`, {}, 60_000);
    expect(x.reply.content.status, String(x.reply.content.evalue)).toBe("ok");
    expect(bpftraceWith("@first")).toEqual([]);
    expect(bpftraceWith("@second")).toHaveLength(1);
    await k.execute("await again.stop()");
    expect(bpftraceWith("@second")).toEqual([]);
  }, 60_000);
});
