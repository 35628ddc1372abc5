/**
 * Job 3: from program text to an attached tracepoint (BCC does all of it in
 * BPF(text=...)), first in a process and after, with the CPU time and minor
 * faults of the latter; then detaching ten tracepoints, and re-running a
 * changed cell of ten tracepoints against its compile alone.
 */
import { execFileSync } from "node:child_process";
import { runChild } from "../lib/child.js";
import { why } from "../lib/ibcc.js";
import { runBcc } from "../lib/python.js";
import type { Job, Row } from "../lib/row.js";
import { median } from "../lib/stats.js";

export const job: Job = {
  name: "compile",
  async run(ctx) {
    const reps = ctx.quick ? 2 : 5;
    ctx.log("compile: BCC");
    const bcc = await runBcc<Record<string, number[]>>("compile", { reps });
    ctx.log("compile: ibcc");
    let ib: Record<string, number[]> | undefined;
    let missing = "";
    try {
      ib = await runChild<Record<string, number[]>>("compile", [String(reps)]);
    } catch (e) {
      missing = "ibcc n/a: " + why(e);
    }
    let prepared: number[] | undefined;
    if (ib) {
      ctx.log("compile: ibcc, first compile after prepareCompiler()");
      prepared = [];
      for (let i = 0; i < reps; i++)
        prepared.push(...((await runChild<Record<string, number[]>>("compile", ["0", "prepared"]).catch(() => undefined))?.compile_first ?? []));
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
      { job: "  the same: process CPU", unit: "ms", ibcc: ib?.compile_next_cpu, bcc: bcc.compile_next_cpu, note: missing || "user + system time of the whole process" },
      { job: "  the same: minor page faults", unit: "", ibcc: ib?.compile_next_faults, bcc: bcc.compile_next_faults, note: missing },
      { job: "detach 10 tracepoints", unit: "ms", ibcc: ib?.detach10, bcc: bcc.detach10, note: missing || "all ten, one program each; ibcc: until close() returns (the closes run in the background)" },
      { job: "detach 10 tracepoints, until done", unit: "ms", ibcc: ib?.detach10_settled, bcc: bcc.detach10, note: missing || "ibcc: until settled() (the kernel is done); BCC column: its detach again" },
      {
        job: "re-run changed cell, 10 tracepoints",
        unit: "ms",
        ibcc: ib?.rerun10,
        bcc: bcc.rerun10,
        note: missing || rerunNote(ib?.rerun10, ib?.compile10),
      },
      { job: "  its compile alone", unit: "ms", ibcc: ib?.compile10, bcc: bcc.compile10, note: missing || "ibcc: compile(); BCC: BPF(text) (compiles, loads and attaches)" },
      { job: "detach 10 tracepoints, C floor", unit: "ms", ibcc: serial, bcc: serial, note: "ten close()s of perf event fds, nothing else; the same program in both columns" },
      { job: "detach 10 tracepoints, C, 10 threads", unit: "ms", ibcc: parallel, bcc: parallel, note: "the same closes from ten threads at once" },
    ];
    return rows;
  },
};

/** Target: a re-run costs at most its compile + 50 ms (medians). */
function rerunNote(rerun?: number[], compile?: number[]): string {
  const head = "ibcc: compile + load + attach the new, close the old; BCC: cleanup() then BPF(text)";
  if (!rerun?.length || !compile?.length) return head;
  const extra = median(rerun) - median(compile);
  return `${head}; target compile + 50 ms: ${extra <= 50 ? "met" : "MISSED"} (+${extra.toFixed(0)} ms)`;
}
