/**
 * Re-running a changed %%bpf block with ten tracepoints, through the cell's
 * own path: the old program's hooks detach in the background, so the re-run
 * costs its compile (and loads and attaches), not ten detaches one after
 * another. Figures are printed, not asserted: the machine is shared.
 */
import { afterAll, describe, expect, it } from "vitest";
import { runBpfBlock } from "../../magics/bpf-cell.js";
import { detachAll, whenDetached } from "../../magics/programs.js";
import type { Program } from "../../magics/program.js";
import { blockSpec } from "../../magics/spec/block.js";
import { prepareText } from "../../magics/load.js";
import { compile } from "../../native/index.js";
import { testContext, loadedProgramIds } from "../bpf/context.js";

const EVENTS = ["getppid", "getpid", "getuid", "getgid", "geteuid", "getegid", "gettid", "getpgrp", "getpgid", "getsid"];

function tenTracepoints(value: number): string {
  return [
    "BPF_ARRAY(hits, u64, 1);",
    ...EVENTS.map((e) => `TRACEPOINT_PROBE(syscalls, sys_enter_${e}) { int k = 0; u64 *v = hits.lookup(&k); if (v) *v += ${value}; return 0; }`),
  ].join("\n");
}

afterAll(async () => {
  detachAll();
  await whenDetached();
});

const ms = (t: number) => `${t.toFixed(0)} ms`;
const minMedian = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `${ms(s[0])}/${ms(s[Math.floor(s.length / 2)])}`;
};

describe("re-running a changed block", () => {
  it("detaches the earlier program's ten tracepoints off the cell's path", async () => {
    const name = `rerun${process.pid % 100000}`;
    let prev = (await runBpfBlock({ args: name, body: tenTracepoints(1), headerLine: 1 }, testContext())) as Program;
    expect(prev.attached).toHaveLength(10);
    const rerun: number[] = [];
    const alone: number[] = [];
    const settle: number[] = [];
    for (let i = 2; i <= 4; i++) {
      const firstIds = prev.ids;
      const t0 = performance.now();
      const next = (await runBpfBlock({ args: name, body: tenTracepoints(i), headerLine: 1 }, testContext())) as Program;
      rerun.push(performance.now() - t0);
      const t1 = performance.now();
      await whenDetached();
      settle.push(performance.now() - t1);

      expect(prev.closed).toBe(true);
      expect(next.attached).toHaveLength(10);
      const loaded = new Set(loadedProgramIds());
      expect(firstIds.filter((id) => loaded.has(id))).toEqual([]);
      expect(next.ids.every((id) => loaded.has(id))).toBe(true);
      prev = next;

      // What the re-run compiles, compiled alone with nothing to detach.
      const body = tenTracepoints(100 + i);
      const { text, probes } = prepareText(blockSpec(name, body, 1));
      const t2 = performance.now();
      (await compile(text + probes)).close();
      alone.push(performance.now() - t2);
    }
    void process.ppid; // getppid(2): the last program adds 4
    expect((prev.table("hits").get(0) as bigint) % 4n).toBe(0n);
    console.log(`re-run of a changed block with 10 tracepoints (min/median of ${rerun.length}): ${minMedian(rerun)}; ` +
      `its compile alone ${minMedian(alone)}; the old hooks finished detaching ${minMedian(settle)} after the re-run returned`);
    prev.close();
    await prev.settled;
    const after = new Set(loadedProgramIds());
    expect(prev.ids.filter((id) => after.has(id))).toEqual([]);
  });
});
