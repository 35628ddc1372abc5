import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { runBpfBlock } from "../../magics/bpf-cell.js";
import { detachAll } from "../../magics/programs.js";
import type { Program } from "../../magics/program.js";
import { plainText, testContext } from "./context.js";

const dir = mkdtempSync(join(tmpdir(), "ibcc-bitehist-"));
afterAll(() => {
  detachAll();
  rmSync(dir, { recursive: true, force: true });
});

// BCC's bitehist, counting only dd's requests so other I/O on the machine stays out.
const BITEHIST = `
BPF_HISTOGRAM(dist);
TRACEPOINT_PROBE(block, block_rq_issue) {
  char c[16];
  bpf_get_current_comm(&c, sizeof(c));
  if (c[0] != 'd' || c[1] != 'd' || c[2] != 0) return 0;
  dist.increment(bpf_log2l(args->bytes / 1024));
  return 0;
}`;

describe("bitehist", () => {
  it("histograms direct I/O sizes into the expected log2 buckets", async () => {
    const ctx = testContext();
    const prog = (await runBpfBlock({ args: "bite", body: BITEHIST, headerLine: 1 }, ctx)) as Program;
    const file = join(dir, "data");
    execFileSync("dd", ["if=/dev/zero", `of=${file}`, "bs=64k", "count=16", "oflag=direct"], { stdio: "ignore" });
    execFileSync("dd", ["if=/dev/zero", `of=${file}`, "bs=4k", "count=8", "oflag=direct", "conv=notrunc"], { stdio: "ignore" });
    const h = prog.table("dist").histogram({ unit: "kbytes" });
    const text = h.text();
    console.log(text);
    const row = (lo: number, hi: number) => {
      const m = new RegExp(String.raw`^\s*${lo} -> ${hi}\s*:\s*(\d+)`, "m").exec(text);
      return m ? Number(m[1]) : 0;
    };
    // 64 KiB writes land in 64 -> 127, 4 KiB ones in 4 -> 7 (the block layer may split, never merge direct writes here)
    expect(row(64, 127)).toBeGreaterThanOrEqual(1);
    expect(row(4, 7)).toBeGreaterThanOrEqual(8);
    expect(text).toMatch(/kbytes\s+: count\s+distribution/);
    const shown = (await (h as unknown as { [k: symbol]: () => Promise<{ data: Record<string, unknown> }> })[Symbol.for("Jupyter.display")]()).data;
    expect(Object.keys(shown)).toContain("application/vnd.vegalite.v5+json");
    expect(Object.keys(shown)).not.toContain("text/html");
    expect(await plainText(prog)).toMatch(/dist\s+array/);
  });
});
