/**
 * Data out and the capture magics through real maps: toArrow()/toCSV() of
 * struct and per-CPU maps, a snapshot that keeps its moment, a recorded read
 * replayed with %replay on in the same process, and usage errors.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CellError } from "../../kernel/plugin.js";
import { runBpfBlock } from "../../magics/bpf-cell.js";
import { captureMagic, replayMagic } from "../../magics/capture/magics.js";
import { detachAll } from "../../magics/programs.js";
import type { Program } from "../../magics/program.js";
import { testContext } from "../bpf/context.js";

const dir = mkdtempSync(join(tmpdir(), "ibcc-capture-"));
afterAll(async () => {
  await replayMagic.run("auto", testContext());
  detachAll();
  rmSync(dir, { recursive: true, force: true });
});

const BODY = "struct k_t { u32 a; char tag[8]; };\nBPF_HASH(h, struct k_t, u64, 64);\nBPF_PERCPU_ARRAY(pc, u64, 2);\nint unused(void *ctx) { return 0; }";
const load = async (ctx = testContext()) => (await runBpfBlock({ args: "ex --no-attach", body: BODY, headerLine: 1 }, ctx)) as Program;

describe("data out and capture", () => {
  it("exports struct keys as columns, per-CPU values summed, and CSV quoted", async () => {
    const p = await load();
    const h = p.table("h");
    h.set({ a: 1, tag: 'a,"b' }, 5n);
    h.set({ a: 2, tag: "two" }, 7n);
    p.table("pc").set(0, 3n);
    const t = h.toArrow();
    expect(t.schema.fields.map((f) => f.name)).toEqual(["key.a", "key.tag", "value"]);
    expect(t.numRows).toBe(2);
    const csv = h.toCSV().split("\r\n");
    expect(csv[0]).toBe("key.a,key.tag,value");
    expect(csv).toContain('1,"a,""b",5');
    const pc = p.table("pc").toArrow();
    const cpus = p.table("pc").map.possibleCpus;
    expect(pc.getChild("value")!.get(0)).toBe(3n * BigInt(cpus));
    const snap = h.snapshot();
    h.set({ a: 3, tag: "three" }, 1n);
    expect(snap.entries().length).toBe(2);
    expect(() => snap.set({ a: 4, tag: "x" } as never, 1n as never)).toThrow(/cannot be written: it is a snapshot/);
    p.close();
  });

  it("records reads with %capture and replays them with %replay on", async () => {
    const ctx = testContext();
    await captureMagic.run(`on ${dir} --max-rows 1`, ctx);
    const p = await load(ctx);
    p.table("h").set({ a: 9, tag: "nine" }, 90n);
    p.table("h").set({ a: 8, tag: "eight" }, 80n);
    expect(p.table("h").entries().length).toBe(2);
    await captureMagic.run("off", ctx);
    const text = ctx.streams.map((s) => s.text).join("");
    expect(text).toMatch(/capture of h cut at 1 of 2 entries/);
    const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8"));
    expect(index.runs.at(-1).captures[0]).toMatchObject({ map: "h", kind: "read", rows: 1, cutFrom: 2 });
    const r = testContext();
    await replayMagic.run(`on ${dir}`, r);
    const replayed = await load(r);
    expect(r.streams.map((s) => s.text).join("")).toMatch(/ex: replayed from capture .*nothing was compiled or attached/);
    expect(replayed.table("h").entries().length).toBe(1);
    expect(() => replayed.table("pc").entries()).toThrow(/holds no read of this map/);
    await replayMagic.run("off", r);
  });

  it("refuses bad usage with a clear error", async () => {
    await expect(captureMagic.run("sideways", testContext())).rejects.toBeInstanceOf(CellError);
    await expect(captureMagic.run("on x --max-rows -3", testContext())).rejects.toThrow(/--max-rows takes a whole number/);
    await expect(Promise.resolve().then(() => replayMagic.run("maybe", testContext()))).rejects.toThrow(/usage: %replay/);
  });
});
