import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { parseArgs } from "../../bench/lib/args.js";
import { buildHelpers } from "../../bench/lib/cbuild.js";
import { PYTHON } from "../../bench/lib/python.js";
import type { JobContext } from "../../bench/lib/row.js";
import { median, min } from "../../bench/lib/stats.js";
import { formatTable, ratio } from "../../bench/lib/table.js";
import { job as histogram } from "../../bench/jobs/histogram.js";

describe("bench command line", () => {
  it("reads --quick and --only in both spellings", () => {
    expect(parseArgs([])).toEqual({ quick: false, help: false, only: [] });
    expect(parseArgs(["--quick", "--only", "maps,events", "--only=memory"])).toEqual({
      quick: true,
      help: false,
      only: ["maps", "events", "memory"],
    });
    expect(() => parseArgs(["--fast"])).toThrow(/unknown argument --fast/);
  });
});

describe("bench table", () => {
  it("summarises samples and prints one aligned table", () => {
    expect(min([3, 1, 2])).toBe(1);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    const rows = [
      { job: "a", unit: "ms", ibcc: [1, 2, 3], bcc: [4, 4, 4], note: "n" },
      { job: "only bcc", unit: "ev/s", bcc: [1.5e6] },
    ];
    expect(ratio(rows[0])).toBe(0.5);
    const text = formatTable(rows).split("\n");
    expect(text[0]).toMatch(/^job\s+unit\s+ibcc min\s+ibcc median\s+BCC min\s+BCC median\s+ratio\s+note$/);
    expect(text[2]).toMatch(/^a\s+ms\s+1\.00\s+2\.00\s+4\.00\s+4\.00\s+0\.50x\s+n$/);
    expect(text[3]).toMatch(/only bcc\s+ev\/s\s+-\s+-\s+1\.50M\s+1\.50M\s+-$/);
  });
});

const haveBcc = existsSync(PYTHON) && existsSync("/usr/lib/python3/dist-packages/bcc/__init__.py");
if (!haveBcc) console.log("bench smoke test skipped: python3-bpfcc is not installed");

describe("bench smoke run", () => {
  it("builds the C helpers", () => {
    const bin = buildHelpers();
    for (const name of ["fill", "getppid_loop", "batch_floor", "detach_floor"]) expect(existsSync(bin[name])).toBe(true);
  });

  it.skipIf(!haveBcc)("runs the histogram job through ibcc and BCC", { timeout: 60_000 }, async () => {
    const ctx: JobContext = { quick: true, bin: buildHelpers(), log: () => {}, appendix: () => {} };
    const rows = await histogram.run(ctx);
    console.log(formatTable(rows));
    expect(rows.length).toBe(3);
    for (const r of rows) {
      expect(r.note ?? "").not.toMatch(/n\/a/);
      expect(r.ibcc?.length).toBeGreaterThan(0);
      expect(r.bcc?.length).toBeGreaterThan(0);
      expect(min(r.ibcc!)).toBeGreaterThan(0);
    }
  });
});
