/**
 * The text histograms against BCC itself: Debian's python3-bpfcc prints the
 * same counts through bcc.table's printers, and the strings must be equal.
 */
import { describe, expect, it } from "vitest";
import { histogramText, type HistogramData } from "../../kernel/display/index.js";
import { bccAvailable, bccPrints, type PyCase } from "./bcc-python.js";

const haveBcc = bccAvailable();
if (!haveBcc) console.log("skipping BCC comparison: /usr/bin/python3 cannot import bcc.table (install python3-bpfcc)");

type Counts = Array<number | bigint>;

function buckets(counts: Counts) {
  return counts.map((count, index) => ({ index, count }));
}

interface Case {
  name: string;
  data: HistogramData;
  py: PyCase;
}

function single(name: string, kind: "log2" | "linear", counts: Counts, valType = "value", strip = false): Case {
  return {
    name,
    data: { kind, buckets: buckets(counts), unit: valType, stripLeadingZero: strip },
    py: { kind, valType, strip, vals: counts.map(String) },
  };
}

function sectioned(name: string, kind: "log2" | "linear", sections: Array<[string, Counts]>, header: string, valType = "value"): Case {
  return {
    name,
    data: {
      kind,
      unit: valType,
      sectionHeader: header,
      sections: sections.map(([section, c]) => ({ section, buckets: buckets(c) })),
    },
    py: {
      kind,
      valType,
      strip: false,
      sectionHeader: header,
      sections: sections.map(([section, c]) => ({ section, vals: c.map(String) })),
    },
  };
}

const bell = (n: number, peak: number, scale: number) =>
  Array.from({ length: n }, (_, i) => Math.round(scale * Math.exp(-((i - peak) ** 2) / 6)));

// A deterministic generator, so a failure reproduces.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomCounts(rand: () => number, n: number, huge: boolean): Counts {
  return Array.from({ length: n }, () => {
    if (rand() < 0.3) return 0;
    if (!huge) return Math.floor(rand() * 5000);
    // Counts past 2^53 exercise bcc's exact integer division in _stars.
    return BigInt(Math.floor(rand() * 2 ** 30)) * BigInt(Math.floor(rand() * 2 ** 34)) + BigInt(Math.floor(rand() * 1000));
  });
}

const cases: Case[] = [
  single("log2, usecs", "log2", [0, ...bell(20, 10, 1000)], "usecs"),
  single("log2, one bucket", "log2", [0, 5]),
  single("log2, only bucket 0 (bcc prints nothing)", "log2", [7]),
  single("log2, empty", "log2", []),
  single("log2, leading zeros kept", "log2", [0, 0, 0, 0, 0, 3, 9, 27, 0, 1], "bytes"),
  single("log2, leading zeros stripped", "log2", [0, 0, 0, 0, 0, 3, 9, 27, 0, 1], "bytes", true),
  single("log2, bucket 33: values past 2^32 widen the columns", "log2", [0, 1, 2, 4, 8, ...new Array(28).fill(0), 99], "nsecs"),
  single("log2, bucket 64: the largest u64 range", "log2", [0, ...new Array(63).fill(0), 12]),
  single("log2, counts wider than the count column", "log2", [0, 123456789012, 5, 999999999], "usecs"),
  single("log2, counts past 2^53", "log2", [0, 2n ** 60n + 1n, 2n ** 59n, 3n, 2n ** 60n - 1n]),
  single("log2, a long val_type", "log2", [0, 1, 2], "a very long unit name indeed"),
  single("linear", "linear", bell(30, 12, 400), "ms"),
  single("linear, index 0 only", "linear", [42]),
  single("linear, empty", "linear", []),
  single("linear, leading zeros stripped", "linear", [0, 0, 0, 4, 0, 8], "kbytes", true),
  sectioned("log2 sections", "log2", [["sda", [0, ...bell(14, 6, 300)]], ["nvme0n1", [0, 0, 0, 5, 50, 500]], ["empty", []]], "disk", "usecs"),
  sectioned("linear sections", "linear", [["0", [1, 2, 3]], ["1", [0, 0, 9]]], "cpu", "slot"),
  sectioned("log2 sections, one past 2^32", "log2", [["a", [0, 1, 2]], ["b", [0, ...new Array(39).fill(0), 3]]], "Bucket ptr"),
];
const rand = rng(20261125);
for (let i = 0; i < 40; i++) {
  const kind = i % 2 ? "log2" : "linear";
  const n = 1 + Math.floor(rand() * (kind === "log2" ? 64 : 100));
  cases.push(single(`random ${kind} #${i}${i % 4 < 2 ? "" : " (huge counts)"}`, kind, randomCounts(rand, n, i % 4 >= 2), "value", rand() < 0.3));
}

describe.skipIf(!haveBcc)("text histograms match python3-bpfcc", () => {
  const expected = haveBcc ? bccPrints(cases.map((c) => c.py)) : [];

  it.each(cases.map((c, i) => [c.name, i] as const))("%s", (_name, i) => {
    expect(histogramText(cases[i].data)).toBe(expected[i]);
  });

  it("prints the wide layout once a value passes 2^32", () => {
    const wide = expected[cases.findIndex((c) => c.name.startsWith("log2, bucket 33"))];
    expect(wide).toContain("\n          4294967296 -> 8589934591           : 99       |********************|");
    console.log("bcc output for values past 2^32:\n" + wide);
  });
});
