import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { CellError } from "../../kernel/plugin.js";
import { runBpfBlock } from "../../magics/bpf-cell.js";
import { detachAll } from "../../magics/programs.js";
import type { Program } from "../../magics/program.js";
import { histogramFromEntries } from "../../magics/histogram.js";
import { testContext } from "./context.js";

afterAll(() => {
  detachAll();
});

const load = async (args: string, body: string) => (await runBpfBlock({ args, body, headerLine: 1 }, testContext())) as Program;

describe("tables", () => {
  it("gets, sets, deletes and clears typed entries, per-CPU values included", async () => {
    const p = await load(
      "t --no-attach",
      "struct k_t { u32 a; char tag[8]; };\nstruct v_t { u64 big; s32 neg; };\nBPF_HASH(h, struct k_t, struct v_t, 64);\nBPF_PERCPU_ARRAY(pc, u64, 4);\nBPF_ARRAY(arr, u32, 3);\nint unused(void *ctx) { return 0; }",
    );
    const h = p.table("h");
    expect(h.keyType).toBe("{ a: number; tag: string }");
    expect(h.valueType).toBe("{ big: bigint; neg: number }");
    h.set({ a: 1, tag: "one" }, { big: 2n ** 63n + 5n, neg: -7 });
    h.set({ a: 2, tag: "two" }, { big: 1n, neg: 0 });
    expect(h.get({ a: 1, tag: "one" })).toEqual({ big: 2n ** 63n + 5n, neg: -7 });
    expect(h.size).toBe(2);
    expect(h.delete({ a: 2, tag: "two" })).toBe(true);
    expect(h.delete({ a: 2, tag: "two" })).toBe(false);
    expect(h.entries()).toEqual([[{ a: 1, tag: "one" }, { big: 2n ** 63n + 5n, neg: -7 }]]);
    h.clear();
    expect(h.size).toBe(0);
    const pc = p.maps.pc;
    pc.set(1, 3n);
    const v = pc.get(1) as bigint[];
    expect(v.length).toBeGreaterThan(0);
    expect(v.every((x) => x === 3n)).toBe(true);
    expect(p.table("arr").entries()).toEqual([[0, 0], [1, 0], [2, 0]]);
    expect(p.attached.length).toBe(0);
  });

  it("sections and linear buckets", () => {
    const entries: [unknown, unknown][] = [
      [{ disk: "vdb", slot: 3 }, 4n],
      [{ disk: "vda", slot: 1 }, 2n],
      [{ disk: "vda", slot: 2 }, 5n],
    ];
    const d = histogramFromEntries(entries, { section: "disk", unit: "usecs" });
    expect(d.sections!.map((s) => s.section)).toEqual(["vda", "vdb"]);
    expect(d.sectionHeader).toBe("disk");
    expect(d.sections![0].buckets).toEqual([{ index: 1, count: 2n }, { index: 2, count: 5n }]);
    const lin = histogramFromEntries([[0, 1n], [5, 2n]], { kind: "linear" });
    expect(lin.kind).toBe("linear");
    expect(lin.buckets).toEqual([{ index: 0, count: 1n }, { index: 5, count: 2n }]);
    expect(() => histogramFromEntries([[1, 1n]], { section: "disk" })).toThrow(/needs a struct key/);
  });
});

describe("other hooks", () => {
  it("attaches a raw tracepoint and reads a perf buffer", async () => {
    const p = await load(
      "rt -DTARGET=" + process.pid,
      "struct ev_t { u32 pid; u64 id; };\nBPF_PERF_OUTPUT(events);\nRAW_TRACEPOINT_PROBE(sys_enter) {\n  if ((bpf_get_current_pid_tgid() >> 32) != TARGET) return 0;\n  struct ev_t e = { .pid = TARGET, .id = ctx->args[1] };\n  events.perf_submit(ctx, &e, sizeof(e));\n  return 0;\n}",
    );
    const s = p.events<{ pid: number; id: bigint }>("events", { for: 10_000 });
    const got: { pid: number; id: bigint }[] = [];
    for await (const e of s) {
      if (got.length === 0) void process.ppid; // getppid: syscall 110 on x86-64
      got.push(e);
      if (got.some((x) => x.id === 110n)) break;
    }
    console.log(`raw tracepoint: ${got.length} events, lost ${s.lost}`);
    expect(got.every((e) => e.pid === process.pid)).toBe(true);
    expect(got.some((e) => e.id === 110n)).toBe(true);
  });

  it("decodes events of a struct declared inside the function", async () => {
    const p = await load(
      "lp",
      "BPF_PERF_OUTPUT(events);\nTRACEPOINT_PROBE(syscalls, sys_enter_getppid) {\n  struct local_t { u32 pid; } d = {};\n  d.pid = 1;\n  events.perf_submit(args, &d, sizeof(d));\n  return 0;\n}",
    );
    expect(p.eventCodecs.get("events")?.tsType).toBe("{ pid: number }");
    p.close();
  });

  it("says what to use instead when fentry or LSM is refused", async () => {
    for (const [args, body, re] of [
      ["kf", "KFUNC_PROBE(do_unlinkat, int dfd) { return 0; }", /fentry\/fexit.*use a tracepoint/],
      ["lsm1", "LSM_PROBE(bpf, int cmd) { return 0; }", /BPF LSM.*use a tracepoint/],
    ] as const) {
      try {
        const p = await load(args, body);
        console.log(`${args}: this kernel accepted it (${p.attached.map((a) => a.attachment.target).join(", ")})`);
        p.close();
      } catch (e) {
        expect(e).toBeInstanceOf(CellError);
        console.log(`${args}: ${(e as CellError).evalue}`);
        expect((e as CellError).ename).toBe("MissingFeature");
        expect((e as CellError).evalue).toMatch(re);
      }
    }
  });
});
