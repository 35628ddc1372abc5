/** bpftrace 0.17's JSON lines (as it prints them) read into maps, buckets and cell-line diagnostics. */
import { describe, expect, it } from "vitest";
import { parseLine } from "../../magics/bpftrace/json.js";
import { histBuckets } from "../../magics/bpftrace/hist.js";
import { declaredMaps } from "../../magics/bpftrace/declared.js";
import { BpftraceMap } from "../../magics/bpftrace/maps.js";
import { renumber } from "../../magics/bpftrace/diagnostics.js";
import { withAttachedMarker } from "../../magics/bpftrace/marker.js";

describe("bpftrace JSON", () => {
  it("reads records, one per map, and counters past 2^53 exactly", () => {
    expect(parseLine('{"type": "attached_probes", "data": {"probes": 2}}')).toEqual([{ type: "attached_probes", probes: 2 }]);
    expect(parseLine('{"type": "printf", "data": "w 1 \\"x\\"\\n"}')).toEqual([{ type: "text", text: 'w 1 "x"\n' }]);
    expect(parseLine('{"type": "map", "data": {"@c": {"dd": 18446744073709551615, "x12345678901234567": 1}}}')).toEqual([
      { type: "map", kind: "map", name: "@c", value: { dd: 18446744073709551615n, x12345678901234567: 1 } },
    ]);
    expect(parseLine("")).toBeUndefined();
    expect(parseLine("not json")).toBeUndefined();
  });

  it("hist buckets: 0 joins BCC's 0 -> 1 row, negatives are counted apart", () => {
    const b = histBuckets([{ max: -1, count: 2 }, { min: 0, max: 0, count: 3 }, { min: 1, max: 1, count: 1 }, { min: 2, max: 3, count: 0 }, { min: 64, max: 127, count: 5 }], "log2");
    expect(b.buckets).toEqual([{ index: 1, count: 4n }, { index: 2, count: 0n }, { index: 7, count: 5n }]);
    expect(b.below).toBe(2n);
  });

  it("lhist buckets: slot lo/step, values outside [min, max) apart", () => {
    const b = histBuckets([{ max: -1, count: 1 }, { min: 0, max: 249, count: 3 }, { min: 500, max: 749, count: 2 }, { min: 1000, count: 4 }], "linear");
    expect(b).toMatchObject({ linearStep: 250, below: 1n, above: 4n });
    expect(b.buckets).toEqual([{ index: 0, count: 3n }, { index: 2, count: 2n }]);
  });

  it("the program text tells lhist from hist and names a keyed map's key", () => {
    const d = declaredMaps('t:a:b { @l = lhist(x, 0, 10, 1); @[comm, pid] = hist(y); @s[args->filename] = count(); }');
    expect(d.get("@l")).toEqual({ fn: "lhist", key: undefined });
    expect(d.get("@")).toEqual({ fn: "hist", key: "comm, pid" });
    expect(d.get("@s")).toEqual({ fn: "count", key: "args->filename" });
    const m = new BpftraceMap("@", "hist", { "dd,12": [{ min: 4, max: 7, count: 2 }] }, d.get("@"));
    expect(m.kind).toBe("hist");
    expect(m.histogram().text()).toContain("comm, pid = dd,12");
    const stats = new BpftraceMap("@st", "stats", { dd: { count: 2, average: 5, total: 10 } });
    expect(stats.rows()).toEqual([{ key: "dd", count: 2, average: 5, total: 10 }]);
  });

  it("diagnostics: on cell lines, with the marker's columns given back", () => {
    const body = "BEGIN { @x = nosuch(1); }";
    const marked = withAttachedMarker(body)!;
    const col = marked.text.indexOf("nosuch") + 1;
    const stderr = `stdin:1:${col}-${col + 6}: ERROR: Unknown function: nosuch\n${marked.text}\n${" ".repeat(col - 1)}~~~~~~\n`;
    const r = renumber(stderr, { headerLine: 3, body, inserted: marked.inserted }, false);
    expect(r.firstError).toBe("cell line 4, col 14: Unknown function: nosuch");
    expect(r.lines).toEqual(["cell line 4, col 14: error: Unknown function: nosuch", `    ${body}`, `    ${" ".repeat(13)}^~~~~~`]);
    expect(withAttachedMarker("t:a:b { }")!.text).toMatch(/\nBEGIN \{ printf/);
  });
});
