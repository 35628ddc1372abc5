import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { runBpfBlock } from "../../magics/bpf-cell.js";
import { tracePipeMagic } from "../../magics/line/trace-pipe.js";
import { detachAll } from "../../magics/programs.js";
import type { Program } from "../../magics/program.js";
import { testContext } from "./context.js";

afterAll(() => {
  detachAll();
});

describe("bpf_trace_printk", () => {
  it("streams trace_pipe lines into the cell for a set time", async () => {
    const marker = `ibcc${process.pid}`;
    const body = `TRACEPOINT_PROBE(syscalls, sys_enter_getppid) {\n  if ((bpf_get_current_pid_tgid() >> 32) != TARGET) return 0;\n  bpf_trace_printk("${marker} %d\\n", 42);\n  return 0;\n}`;
    const prog = (await runBpfBlock({ args: `tp -DTARGET=${process.pid}`, body, headerLine: 1 }, testContext())) as Program;
    const ctx = testContext();
    const running = tracePipeMagic.run("--for 2", ctx) as Promise<unknown>;
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 3; i++) void process.ppid;
    await running;
    const out = ctx.streams.map((s) => s.text).join("");
    const mine = out.split("\n").filter((l) => l.includes(`${marker} 42`));
    console.log(`trace_pipe: ${mine.length} of our lines, e.g. ${mine[0]?.trim()}`);
    expect(mine.length).toBe(3);
    prog.close();
  });

  it("stops on interrupt", async () => {
    const ctx = testContext();
    setTimeout(() => ctx.interrupt(), 300);
    const t0 = Date.now();
    await tracePipeMagic.run("", ctx);
    console.log(`%trace_pipe returned ${Date.now() - t0} ms after start (interrupt at 300 ms)`);
    await expect(Promise.resolve().then(() => tracePipeMagic.run("--bogus", ctx))).rejects.toThrow(/--for SECONDS/);
  });
});
