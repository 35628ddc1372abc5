import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { runBpfBlock } from "../../magics/bpf-cell.js";
import { BPF } from "../../magics/bpf.js";
import { detachAll } from "../../magics/programs.js";
import type { Program } from "../../magics/program.js";
import { testContext } from "./context.js";

let dir: string;
let bin: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ibcc-uprobe-"));
  bin = join(dir, "target");
  writeFileSync(
    join(dir, "target.c"),
    `#include <stdlib.h>
__attribute__((noinline)) int ibcc_target(int x) { __asm__ volatile(""); return x * 2; }
int main(int argc, char **argv) { int n = atoi(argv[1]), s = 0; for (int i = 0; i < n; i++) s += ibcc_target(i); return s == -1; }
`,
  );
  execFileSync("gcc", ["-O1", "-o", bin, join(dir, "target.c")]);
});
afterAll(() => {
  detachAll();
  rmSync(dir, { recursive: true, force: true });
});

describe("uprobes", () => {
  it("counts calls and sums return values of a function in a binary the test built", async () => {
    const body = `#include <uapi/linux/ptrace.h>
BPF_ARRAY(calls, u64, 1);
BPF_ARRAY(rets, u64, 1);
int on_call(struct pt_regs *ctx) { int z = 0; calls.increment(z); return 0; }
int on_ret(struct pt_regs *ctx) { int z = 0; u64 r = PT_REGS_RC(ctx); u64 *v = rets.lookup(&z); if (v) __sync_fetch_and_add(v, r); return 0; }`;
    const ctx = testContext();
    const prog = (await runBpfBlock(
      { args: `up --uprobe ${bin}:ibcc_target=on_call --uretprobe ${bin}:ibcc_target=on_ret`, body, headerLine: 1 },
      ctx,
    )) as Program;
    execFileSync(bin, ["25"]);
    const calls = prog.table("calls").get(0);
    const rets = prog.table("rets").get(0);
    console.log(`uprobe: ${calls} calls, uretprobe: sum ${rets}`);
    expect(calls).toBe(25n);
    // sum of 2*i for i < 25
    expect(rets).toBe(600n);
  });

  it("takes the same through BPF.load from TypeScript", async () => {
    const p = await BPF.load({
      text: "BPF_ARRAY(calls, u64, 1);\nint on_call(struct pt_regs *ctx) { int z = 0; calls.increment(z); return 0; }",
      attach: `--uprobe ${bin}:ibcc_target=on_call`,
    });
    execFileSync(bin, ["3"]);
    expect(p.maps.calls.get(0)).toBe(3n);
    p.close();
    expect(() => p.table("calls")).toThrow(/closed/);
  });

  it("explains a missing symbol", async () => {
    await expect(
      runBpfBlock({ args: `up2 --uprobe ${bin}:no_such_fn=f`, body: "int f(struct pt_regs *ctx) { return 0; }", headerLine: 1 }, testContext()),
    ).rejects.toThrow(/cannot attach f\(\) to uprobe/);
  });
});
