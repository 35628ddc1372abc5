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
  await k.waitFor((m, ch) => ch === "iopub" && m.parent_header.msg_id === id && m.header.msg_type === "stream" && /Attaching \d+ probe/.test(String(m.content.text)), timeoutMs);
  await work();
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
});
