/**
 * Job 3: from program text to an attached tracepoint (BCC does all of it in
 * BPF(text=...)), first in a process and after; then detaching ten tracepoints.
 */
import { execFileSync } from "node:child_process";
import { runChild } from "../lib/child.js";
import { why } from "../lib/ibcc.js";
import { runBcc } from "../lib/python.js";
import type { Job, Row } from "../lib/row.js";

export const job: Job = {
  name: "compile",
  async run(ctx) {
    const reps = ctx.quick ? 2 : 5;
    ctx.log("compile: BCC");
    const bcc = await runBcc("compile", { reps });
    ctx.log("compile: ibcc");
    let ib: Record<string, number[]> | undefined;
    let missing = "";
    try {
      ib = await runChild("compile", [String(reps)]);
    } catch (e) {
      missing = "ibcc n/a: " + why(e);
    }
    let prepared: number[] | undefined;
    if (ib) {
      ctx.log("compile: ibcc, first compile after prepareCompiler()");
      prepared = [];
      for (let i = 0; i < reps; i++)
        prepared.push(...((await runChild("compile", ["0", "prepared"]).catch(() => undefined))?.compile_first ?? []));
    }
    ctx.log("compile: C detach floor");
    const floor = (extra: string[]) =>
      JSON.parse(execFileSync(ctx.bin.detach_floor, [String(reps), ...extra], { encoding: "utf8" })).samples as number[];
    const serial = floor([]);
    const parallel = floor(["parallel"]);
    const rows: Row[] = [
      { job: "compile+load+attach tiny tp, first", unit: "ms", ibcc: ib?.compile_first, bcc: bcc.compile_first, note: missing || "first in a fresh process" },
      { job: "compile+load+attach tiny tp, first after prepareCompiler()", unit: "ms", ibcc: prepared, bcc: bcc.compile_first, note: missing || "the set-up a kernel starts at launch, done before; BCC column: its first" },
      { job: "compile+load+attach tiny tp, next", unit: "ms", ibcc: ib?.compile_next, bcc: bcc.compile_next, note: missing },
      { job: "detach 10 tracepoints", unit: "ms", ibcc: ib?.detach10, bcc: bcc.detach10, note: missing || "all ten, one program each" },
      { job: "detach 10 tracepoints, C floor", unit: "ms", ibcc: serial, bcc: serial, note: "ten close()s of perf event fds, nothing else; the same program in both columns" },
      { job: "detach 10 tracepoints, C, 10 threads", unit: "ms", ibcc: parallel, bcc: parallel, note: "the same closes from ten threads at once" },
    ];
    return rows;
  },
};
