/**
 * The flame graph: a Vega spec (partition transform) that parses and renders
 * one rect per frame with no warning, and folded stacks as text.
 */
import { describe, expect, it } from "vitest";
import * as vega from "vega";
import { flameGraph, flameGraphSpec, foldedStacks, MAX_FOLDED_LINES, VEGA_MIME, VEGA_SCHEMA, type StackSample } from "../../kernel/display/index.js";
import { frameTree } from "../../kernel/display/flamegraph.js";
import { countMarkItems, isPng } from "./svg-marks.js";
import { collectingLogger } from "../../kernel/display/render.js";

/** Frames in the merged tree, the root included. */
const frameTreeSize = (s: StackSample[]) => frameTree(s).length;

const samples: StackSample[] = [
  { stack: ["start_kernel", "do_idle", "cpuidle_enter"], count: 50 },
  { stack: ["entry_SYSCALL_64", "do_syscall_64", "ksys_read", "vfs_read"], count: 20 },
  { stack: ["entry_SYSCALL_64", "do_syscall_64", "ksys_write", "vfs_write"], count: 12n },
  { stack: ["entry_SYSCALL_64", "do_syscall_64", "ksys_read", "vfs_read"], count: 3 },
  { stack: ["entry_SYSCALL_64", "do_syscall_64"], count: 4 },
  { stack: ["<user> main", "a & b"], count: 30 },
];

describe("flame graph", () => {
  it("folds stacks as flamegraph.pl reads them", () => {
    expect(foldedStacks(samples)).toBe(
      [
        "<user> main;a & b 30",
        "entry_SYSCALL_64;do_syscall_64 4",
        "entry_SYSCALL_64;do_syscall_64;ksys_read;vfs_read 23",
        "entry_SYSCALL_64;do_syscall_64;ksys_write;vfs_write 12",
        "start_kernel;do_idle;cpuidle_enter 50",
      ].join("\n"),
    );
  });

  it("parses and renders one rect per frame, with no warning", async () => {
    const spec = flameGraphSpec(samples, { title: "on-CPU" });
    expect(spec.$schema).toBe(VEGA_SCHEMA);
    const warnings: string[] = [];
    const view = new vega.View(vega.parse(spec as vega.Spec), { renderer: "none", logger: collectingLogger(warnings) });
    const svg = await view.toSVG();
    view.finalize();
    expect(warnings).toEqual([]);
    // all + 3 idle frames + 6 syscall frames (entry, do_syscall, ksys_read, vfs_read, ksys_write, vfs_write) + 2 user frames.
    expect(frameTreeSize(samples)).toBe(12);
    expect(countMarkItems(svg, "rect")).toBe(12);
    expect(svg).toContain("cpuidle_enter");
  });

  it("renders an empty profile without a warning", async () => {
    const warnings: string[] = [];
    const view = new vega.View(vega.parse(flameGraphSpec([]) as vega.Spec), { renderer: "none", logger: collectingLogger(warnings) });
    const svg = await view.toSVG();
    view.finalize();
    expect(warnings).toEqual([]);
    expect(countMarkItems(svg, "rect")).toBe(1);
    expect(foldedStacks([])).toBe("");
  });

  it("makes a Vega bundle with SVG, PNG and folded text, never HTML", async () => {
    const d = await flameGraph(samples, { source: { programTag: "abc" } });
    expect(Object.keys(d.data).sort()).toEqual([VEGA_MIME, "image/png", "image/svg+xml", "text/plain"].sort());
    expect(isPng(d.data["image/png"] as string)).toBe(true);
    expect(countMarkItems(String(d.data["image/svg+xml"]), "rect")).toBe(12);
    expect(String(d.data["image/svg+xml"])).toContain("a &amp; b");
    expect(d.metadata).toMatchObject({ ibcc: { view: "flamegraph", programTag: "abc" } });
  });

  it("scales to thousands of stacks, dropping frames too narrow to see", async () => {
    const many: StackSample[] = [];
    for (let i = 0; i < 3000; i++) many.push({ stack: ["root", `f${i % 40}`, `g${i % 400}`, `h${i}`], count: 1 + (i % 5) });
    const t0 = performance.now();
    const d = await flameGraph(many);
    const rects = countMarkItems(String(d.data["image/svg+xml"]), "rect");
    console.log(`flame graph of 3,000 stacks (${frameTreeSize(many)} frames): ${rects} rects drawn, ${(performance.now() - t0).toFixed(0)} ms`);
    expect(rects).toBeGreaterThan(40);
    expect(rects).toBeLessThanOrEqual(frameTreeSize(many));
  });

  it("keeps a huge profile's output bounded, widths intact", async () => {
    const many: StackSample[] = [];
    for (let i = 0; i < 200_000; i++) many.push({ stack: ["root", `f${i % 7}`, `g${i % 1000}`, `leaf${i}`], count: 1 });
    const spec = flameGraphSpec(many);
    const nodes = ((spec.data as Array<{ values: Array<{ id: number; value: number; total: number }> }>)[0]).values;
    const size = JSON.stringify(spec).length;
    console.log(`flame graph of 200,000 stacks: ${nodes.length} frames in the spec, ${size} bytes`);
    expect(size).toBeLessThan(1 << 20);
    // Self values of the kept frames still add up to every sample.
    expect(nodes.reduce((s, n) => s + n.value, 0)).toBe(200_000);
    const d = await flameGraph(many);
    const text = String(d.data["text/plain"]);
    expect(text.split("\n")).toHaveLength(MAX_FOLDED_LINES + 1);
    expect(text).toMatch(/… 198000 lighter stacks not shown$/);
  });
});
