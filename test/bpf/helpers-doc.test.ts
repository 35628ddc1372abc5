import { describe, expect, it } from "vitest";
import { completeInBlock, inspectInBlock, HELPERS } from "../../magics/helpers-doc.js";
import { bpfCell, BPF_CELL_USAGE } from "../../magics/bpf-cell.js";
import { MAGICS } from "../../magics/registry.js";
import { testContext } from "./context.js";

describe("inside %%bpf blocks", () => {
  it("completes helpers, macros, the block's own names and map methods", () => {
    const body = "BPF_HASH(start_ts, u32, u64);\nint f(void *ctx) {\n  u64 t = bpf_ktime_g";
    expect(completeInBlock(body, body.length)).toEqual({
      matches: ["bpf_ktime_get_boot_ns", "bpf_ktime_get_ns"],
      cursorStart: body.length - "bpf_ktime_g".length,
      cursorEnd: body.length,
    });
    expect(completeInBlock("BPF_PERF", 8).matches).toEqual(["BPF_PERF_OUTPUT"]);
    const own = "BPF_HASH(start_ts);\nint f() { sta";
    expect(completeInBlock(own, own.length).matches).toContain("start_ts");
    const dot = "BPF_HASH(h);\nint f() { h.incr";
    expect(completeInBlock(dot, dot.length).matches).toEqual(["increment"]);
  });
  it("documents a helper under the cursor", () => {
    const body = "u64 id = bpf_get_current_pid_tgid();";
    const r = inspectInBlock(body, body.indexOf("current") + 1);
    expect(r.found).toBe(true);
    expect(r.data["text/plain"]).toMatch(/^u64 bpf_get_current_pid_tgid\(void\)\n\ntgid \(the process id\) in the upper 32 bits/);
    expect(inspectInBlock("int zork;", 5).found).toBe(false);
    expect(HELPERS.every((h) => h.doc.length > 10 && h.signature.includes(h.name))).toBe(true);
  });
  it("registers every magic once with a one-line help", () => {
    const names = MAGICS.map((m) => `${m.kind}:${m.name}`);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(["cell:bpf", "cell:bpftrace", "line:bps", "line:maps", "line:detach", "line:features", "line:trace_pipe", "line:probes", "line:capture", "line:replay"]);
    for (const m of MAGICS) expect(m.help).not.toMatch(/\n/);
  });
  it("prints the block's usage for --help", async () => {
    const ctx = testContext();
    expect(await bpfCell.run({ args: "--help", body: "", headerLine: 1 }, ctx)).toBeUndefined();
    expect(ctx.streams[0].text).toBe(BPF_CELL_USAGE + "\n");
    expect(BPF_CELL_USAGE).toMatch(/--uprobe BINARY:SYMBOL=FUNC\[,pid=N\]/);
    expect(BPF_CELL_USAGE).toMatch(/--xdp-mode skb\|drv\|hw\n/);
    expect(BPF_CELL_USAGE).toMatch(/skb is generic XDP .* drv the driver's native hook, hw offloaded to the NIC/);
    expect(BPF_CELL_USAGE).toMatch(/BTF_READ\(ptr, task_struct, tgid\)/);
  });
});
