import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { runBpfBlock } from "../../magics/bpf-cell.js";
import { detachAll } from "../../magics/programs.js";
import type { Program } from "../../magics/program.js";
import { testContext } from "./context.js";

afterAll(() => {
  detachAll();
});

// BCC's profile: sample on cpu-clock, count by (pid, kernel stack, user stack, name).
const PROFILE = `
#include <uapi/linux/bpf_perf_event.h>
struct key_t { u32 pid; int kernel_stack_id; int user_stack_id; char name[16]; };
BPF_HASH(counts, struct key_t, u64);
BPF_STACK_TRACE(stack_traces, 4096);
int on_sample(struct bpf_perf_event_data *ctx) {
  struct key_t k = {};
  k.pid = bpf_get_current_pid_tgid() >> 32;
  if (k.pid == 0) return 0;
  bpf_get_current_comm(&k.name, sizeof(k.name));
  k.kernel_stack_id = stack_traces.get_stackid(ctx, 0);
  k.user_stack_id = stack_traces.get_stackid(ctx, BPF_F_USER_STACK);
  counts.increment(k);
  return 0;
}`;

describe("stacks and perf events", () => {
  it("profiles on cpu-clock and symbolizes kernel stacks into a flame graph", async () => {
    const prog = (await runBpfBlock({ args: "prof --perf-event cpu-clock=on_sample --freq 499", body: PROFILE, headerLine: 1 }, testContext())) as Program;
    // dd spends its time copying in the kernel: kernel stacks with names to find
    execFileSync("dd", ["if=/dev/zero", "of=/dev/null", "bs=1M", "count=1500"], { stdio: "ignore" });
    const stacks = prog.stacks("stack_traces");
    const dd = stacks.samples.filter((s) => s.stack[0] === "dd");
    const total = stacks.samples.reduce((n, s) => n + Number(s.count), 0);
    const folded = stacks.folded();
    console.log(`${total} samples in ${stacks.samples.length} stacks, ${dd.length} of dd's; a dd stack: ${dd.find((s) => s.stack.length > 3)?.stack.join(";")}`);
    expect(dd.length).toBeGreaterThan(0);
    // a kernel frame with a real symbol name (not a hex address)
    expect(dd.some((s) => s.stack.slice(1).some((f) => /^[a-z_][a-z0-9_.]*$/i.test(f)))).toBe(true);
    expect(folded).toMatch(/^dd;.* \d+$/m);
    const bundle = await (stacks as unknown as { [k: symbol]: () => Promise<{ data: Record<string, unknown> }> })[Symbol.for("Jupyter.display")]();
    expect(Object.keys(bundle.data)).toContain("text/plain");
  });
});
