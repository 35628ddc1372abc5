/**
 * %trace_pipe and NAME.tracePrint() through a real Jupyter client, with real
 * programs calling bpf_trace_printk: lines left in trace_pipe before the cell
 * do not show, those the cell printed before reading do, each line shows once
 * with no blank line after it, and the
 * kernel says once that trace_pipe is the whole machine's.
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, KernelClient, type Execution } from "../support/kernel-client.js";
import { stripAnsi } from "../../magics/diagnostics/ansi.js";

const built = existsSync(CLI);
if (!built) console.log(`skipping trace_pipe kernel tests: ${CLI} is not built (npx tsc -p tsconfig.json)`);

const ok = (x: Execution): Execution => {
  if (x.reply.content.status !== "ok") throw new Error(`cell failed: ${x.reply.content.ename}: ${x.reply.content.evalue}\n${stripAnsi((x.reply.content.traceback ?? []).join("\n"))}`);
  return x;
};
const stream = (x: Execution, name: string): string =>
  x.outputs.filter((m) => m.header.msg_type === "stream" && m.content.name === name).map((m) => m.content.text as string).join("");

/** A program printing `WORD n` each time the kernel process calls getppid. */
const printer = (name: string, word: string, pid: number): string =>
  `%%bpf ${name} -DTARGET=${pid}\nTRACEPOINT_PROBE(syscalls, sys_enter_getppid) {\n` +
  `  if ((bpf_get_current_pid_tgid() >> 32) != TARGET) return 0;\n  bpf_trace_printk("${word} %d\\n", 7);\n  return 0;\n}`;

describe.skipIf(!built)("trace_pipe through a Jupyter client", () => {
  let k: KernelClient;
  let pid = 0;
  const stale = `stale${process.pid}`;
  const fresh = `fresh${process.pid}`;
  beforeAll(async () => {
    k = await KernelClient.start();
    pid = k.proc.pid!;
  });
  afterAll(async () => {
    await k?.close();
  });

  it("shows only what was printed since the cell started, one line per line, and says once the pipe is shared", async () => {
    ok(await k.execute(printer("old", stale, pid), {}, 60_000));
    // Lines printed now and never read wait in trace_pipe for the next reader.
    ok(await k.execute("for (let i = 0; i < 5; i++) process.ppid\nold.close()"));
    ok(await k.execute(printer("now", fresh, pid), {}, 60_000));
    // Printed by the cell before %trace_pipe starts (as a workload run first does), and during it.
    const x = ok(
      await k.execute(
        "for (let i = 0; i < 2; i++) process.ppid\nsetTimeout(() => { for (let i = 0; i < 3; i++) process.ppid }, 300)\n%trace_pipe --for 1.5",
        {},
        30_000,
      ),
    );
    const out = stream(x, "stdout");
    console.log(`%trace_pipe printed:\n${out}`);
    expect(out).not.toContain(stale);
    expect(out).not.toContain("ibcc-mark-");
    const mine = out.split("\n").filter((l) => l.includes(`${fresh} 7`));
    expect(mine.length).toBe(5);
    expect(out).not.toMatch(/\n\s*\n/);
    expect(stream(x, "stderr")).toMatch(/trace_pipe is shared by the whole machine/);

    const y = ok(await k.execute("setTimeout(() => { for (let i = 0; i < 2; i++) process.ppid }, 300)\nawait now.tracePrint({ for: 1500 })", {}, 30_000));
    const again = stream(y, "stdout");
    expect(again.split("\n").filter((l) => l.includes(`${fresh} 7`)).length).toBe(2);
    expect(again).not.toMatch(/\n\s*\n/);
    expect(stream(y, "stderr")).not.toMatch(/shared/);
    ok(await k.execute("now.close()"));
  });
});
