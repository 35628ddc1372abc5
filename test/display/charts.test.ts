/**
 * Every chart: its Vega-Lite spec compiles without a warning, the SVG drawn
 * from it has one item per bar/rect, the PNG is a PNG, and the bundle holds
 * exactly the chart mime types (never text/html) and the view's metadata.
 */
import { describe, expect, it } from "vitest";
import {
  compileVegaLite,
  heatMap,
  heatMapSpec,
  histogram,
  histogramSpec,
  histogramText,
  renderVegaLite,
  tableChart,
  tableChartSpec,
  timeSeries,
  timeSeriesSpec,
  vegaLiteBundle,
  VEGALITE_MIME,
  VEGALITE_SCHEMA,
  type DisplayData,
  type HistogramData,
  type ViewSource,
} from "../../kernel/display/index.js";
import { countMarkItems, isPng } from "./svg-marks.js";
import { Resvg } from "@resvg/resvg-js";
import { dropHiddenText, rasterOptions } from "../../kernel/display/render.js";
import { fontFiles } from "../../kernel/display/fonts.js";

const source: ViewSource = {
  kernelRelease: "6.18.0-test",
  libbccVersion: "0.26.0",
  programTag: "a04f5eef06a7f555",
  captureWindow: { start: new Date(Date.UTC(2026, 10, 25, 6, 0, 0)), end: Date.UTC(2026, 10, 25, 6, 0, 10) },
};

function noWarnings(spec: Record<string, unknown>) {
  const warnings: string[] = [];
  compileVegaLite(spec, warnings);
  expect(warnings).toEqual([]);
}

function expectChartBundle(d: DisplayData, view: string) {
  expect(Object.keys(d.data).sort()).toEqual([VEGALITE_MIME, "image/png", "image/svg+xml", "text/plain"].sort());
  expect(d.data["text/html"]).toBeUndefined();
  expect((d.data[VEGALITE_MIME] as { $schema: string }).$schema).toBe(VEGALITE_SCHEMA);
  expect(isPng(d.data["image/png"] as string)).toBe(true);
  expect(String(d.data["image/svg+xml"])).toMatch(/^<svg /);
  const meta = (d.metadata as { ibcc: Record<string, unknown> }).ibcc;
  expect(meta.view).toBe(view);
  expect(meta.warnings).toBeUndefined();
  return meta;
}

const log2: HistogramData = {
  kind: "log2",
  unit: "usecs",
  buckets: [0, 0, 0, 4, 17, 80, 311, 907, 1204, 650, 90, 7, 0, 1].map((count, index) => ({ index, count })),
};

describe("histogram chart", () => {
  it("draws one bar per bucket bcc prints, labelled as bcc labels them", async () => {
    const spec = histogramSpec(log2, { title: "read latency" });
    noWarnings(spec);
    const d = await histogram(log2, { title: "read latency", source });
    const meta = expectChartBundle(d, "histogram");
    // bcc prints buckets 1..13 (bucket 0 never, nothing after the last non-empty one).
    expect(countMarkItems(String(d.data["image/svg+xml"]), "rect")).toBe(13);
    const values = (spec.data as { values: Array<{ bucket: string }> }).values;
    expect(values.map((v) => v.bucket).slice(0, 3)).toEqual(["0 -> 1", "2 -> 3", "4 -> 7"]);
    expect(values.at(-1)!.bucket).toBe("4096 -> 8191");
    expect(String(d.data["image/svg+xml"])).toContain("usecs");
    expect(meta).toMatchObject({
      kernelRelease: "6.18.0-test",
      libbccVersion: "0.26.0",
      programTag: "a04f5eef06a7f555",
      captureWindow: { start: "2026-11-25T06:00:00.000Z", end: "2026-11-25T06:00:10.000Z" },
      options: { kind: "log2", unit: "usecs", title: "read latency" },
    });
  });

  it("strips leading empty buckets when asked, as bcc does", async () => {
    const d = await histogram({ ...log2, stripLeadingZero: true });
    expect(countMarkItems(String(d.data["image/svg+xml"]), "rect")).toBe(11);
  });

  it("has a log-scaled count axis on request", async () => {
    const spec = histogramSpec(log2, { logScale: true });
    noWarnings(spec);
    expect(JSON.stringify(spec)).toContain('"symlog"');
    const d = await histogram(log2, { logScale: true });
    expect(countMarkItems(String(d.data["image/svg+xml"]), "rect")).toBe(13);
  });

  it("draws linear buckets as value ranges with linearStep", async () => {
    const data: HistogramData = { kind: "linear", unit: "ms", linearStep: 10, buckets: [3, 0, 8, 2].map((count, index) => ({ index, count })) };
    const spec = histogramSpec(data);
    noWarnings(spec);
    expect((spec.data as { values: Array<{ bucket: string }> }).values.map((v) => v.bucket)).toEqual(["0 -> 9", "10 -> 19", "20 -> 29", "30 -> 39"]);
    const d = await histogram(data);
    expectChartBundle(d, "histogram");
    expect(countMarkItems(String(d.data["image/svg+xml"]), "rect")).toBe(4);
  });

  it("draws one facet per section, each trimmed on its own", async () => {
    const data: HistogramData = {
      kind: "log2",
      unit: "usecs",
      sectionHeader: "disk",
      sections: [
        { section: "sda", buckets: [0, 1, 5, 9, 2].map((count, index) => ({ index, count })) },
        { section: "nvme0n1", buckets: [0, 0, 0, 0, 0, 0, 7].map((count, index) => ({ index, count })) },
      ],
    };
    const spec = histogramSpec(data);
    noWarnings(spec);
    const d = await histogram(data, { source });
    expectChartBundle(d, "histogram");
    const svg = String(d.data["image/svg+xml"]);
    expect(countMarkItems(svg, "rect")).toBe(4 + 6);
    expect(svg).toContain("nvme0n1");
    expect(String(d.data["text/plain"])).toContain("\ndisk = nvme0n1\n");
  });

  it("fits a long linear histogram in a fixed height", async () => {
    const data: HistogramData = { kind: "linear", buckets: Array.from({ length: 500 }, (_, index) => ({ index, count: (index * 13) % 50 + 1 })) };
    const spec = histogramSpec(data);
    noWarnings(spec);
    expect(spec.height).toBe(640);
    const d = await histogram(data);
    expect(countMarkItems(String(d.data["image/svg+xml"]), "rect")).toBe(500);
  });

  it("keeps 64-bit counts as numbers in the spec and exact in the text", async () => {
    const big: HistogramData = { kind: "log2", buckets: [{ index: 1, count: 2n ** 60n + 1n }, { index: 2, count: 5n }] };
    const d = await histogram(big);
    expect(String(d.data["text/plain"])).toContain("1152921504606846977");
    expect(JSON.stringify(d.data[VEGALITE_MIME])).toContain("1152921504606847000");
  });

  it("reads fractional counts as bcc's %d does (truncated)", () => {
    const text = histogramText({ kind: "linear", buckets: [{ index: 0, count: 2.7 }, { index: 1, count: Number.NaN }, { index: 2, count: 5 }] });
    expect(text.split("\n")[1]).toMatch(/^ {8}0 {10}: 2 {8}\|/);
    expect(text.split("\n")[2]).toMatch(/^ {8}1 {10}: 0 {8}\|/);
  });

  it("renders a 64-bucket histogram quickly (figures printed)", async () => {
    const full: HistogramData = {
      kind: "log2",
      buckets: Array.from({ length: 65 }, (_, index) => ({ index, count: Math.round(1e6 * Math.exp(-((index - 30) ** 2) / 90)) + 1 })),
    };
    const spec = histogramSpec(full);
    noWarnings(spec);
    const runs = [];
    for (let i = 0; i < 6; i++) {
      const t0 = performance.now();
      const r = await renderVegaLite(spec);
      runs.push({ total: performance.now() - t0, ...r.timings });
      expect(countMarkItems(r.svg, "rect")).toBe(64);
    }
    const fmt = (n: number) => n.toFixed(1);
    for (const [i, r] of runs.entries()) {
      console.log(`64-bucket histogram render #${i + 1}: compile ${fmt(r.compile)} ms, svg ${fmt(r.svg)} ms, png ${fmt(r.png)} ms, total ${fmt(r.total)} ms`);
    }
    const warm = runs.slice(1).map((r) => r.total).sort((a, b) => a - b);
    console.log(`64-bucket histogram: median warm render ${fmt(warm[warm.length >> 1])} ms (first ${fmt(runs[0].total)} ms)`);
  });
});

describe("table chart", () => {
  it("draws the top N rows as bars", async () => {
    const rows = Array.from({ length: 100 }, (_, i) => [{ pid: i, comm: `task${i % 7}` }, (i * 37) % 101] as const);
    const spec = tableChartSpec(rows, { top: 12 });
    noWarnings(spec);
    const d = await tableChart(rows, { top: 12, source });
    expectChartBundle(d, "table-chart");
    expect(countMarkItems(String(d.data["image/svg+xml"]), "rect")).toBe(12);
  });
});

describe("watch views", () => {
  const t0 = Date.UTC(2026, 10, 25, 6, 0, 0);

  it("draws a line per series over time", async () => {
    const points = [];
    for (let s = 0; s < 30; s++) {
      points.push({ t: new Date(t0 + s * 1000), series: "p50", value: 10 + (s % 5) });
      points.push({ t: t0 + s * 1000, series: "p99", value: 80 + s });
      points.push({ t: t0 + s * 1000, series: "count", value: BigInt(s * 100) });
    }
    const spec = timeSeriesSpec(points, { unit: "usecs" });
    noWarnings(spec);
    const d = await timeSeries(points, { unit: "usecs", source });
    expectChartBundle(d, "timeseries");
    expect(countMarkItems(String(d.data["image/svg+xml"]), "line")).toBe(3);
    expect(String(d.data["text/plain"])).toMatch(/p99\s+2026-11-25T06:00:29.000Z\s+109/);
  });

  it("draws a heat map with one rect per (time, bucket) cell", async () => {
    const cells = [];
    for (let s = 0; s < 12; s++) for (let b = 4; b <= 14; b++) cells.push({ t: t0 + s * 2000, bucket: b, count: (s * b) % 17 });
    const spec = heatMapSpec(cells, { unit: "usecs", title: "latency" });
    noWarnings(spec);
    const d = await heatMap(cells, { unit: "usecs", title: "latency", source });
    expectChartBundle(d, "heatmap");
    expect(countMarkItems(String(d.data["image/svg+xml"]), "rect")).toBe(12 * 11);
    // Rows for every bucket between the extremes, even empty ones, highest on top.
    const gappy = heatMapSpec([{ t: t0, bucket: 3, count: 1 }, { t: t0, bucket: 6, count: 2 }]);
    expect((gappy.encoding as { y: { scale: { domain: string[] } } }).y.scale.domain).toEqual(["32 -> 63", "16 -> 31", "8 -> 15", "4 -> 7"]);
  });

  it("keeps a long watch's charts bounded to the latest intervals and points", async () => {
    const cells = [];
    for (let s = 0; s < 1000; s++) for (let b = 5; b < 10; b++) cells.push({ t: t0 + s * 1000, bucket: b, count: s });
    const heat = heatMapSpec(cells, { maxIntervals: 100 });
    const heatValues = (heat.data as { values: Array<{ t: number }> }).values;
    expect(heatValues).toHaveLength(100 * 5);
    expect(Math.min(...heatValues.map((v) => v.t))).toBe(t0 + 900 * 1000);
    expect((heatMapSpec(cells).data as { values: unknown[] }).values).toHaveLength(240 * 5);
    const points = [];
    for (let s = 0; s < 3000; s++) for (const series of ["a", "b"]) points.push({ t: t0 + s * 1000, series, value: s });
    const line = timeSeriesSpec(points, { maxPoints: 50 });
    const lineValues = (line.data as { values: Array<{ t: number; series: string }> }).values;
    expect(lineValues).toHaveLength(100);
    expect(lineValues.filter((v) => v.series === "a").map((v) => v.t)[0]).toBe(t0 + 2950 * 1000);
    const d = await timeSeries(points);
    expect(countMarkItems(String(d.data["image/svg+xml"]), "line")).toBe(2);
    expect(JSON.stringify(d).length).toBeLessThan(1 << 20);
  });

  it("re-renders a growing histogram each time it is called", async () => {
    const counts = [0, 1, 2, 3];
    for (let round = 0; round < 3; round++) {
      counts.push(round + 1);
      const d = await histogram({ kind: "log2", buckets: counts.map((count, index) => ({ index, count })) });
      expect(countMarkItems(String(d.data["image/svg+xml"]), "rect")).toBe(counts.length - 1);
    }
  });
});

describe("PNG text", () => {
  it("rasterizes labels with a system font", () => {
    const files = fontFiles();
    console.log(`PNG fonts: ${files.join(", ") || "none found by fc-match (install fonts-dejavu-core)"}`);
    expect(files.length).toBeGreaterThan(0);
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><rect width="200" height="40" fill="white"/>' +
      '<text x="5" y="28" font-family="sans-serif" font-size="24" fill="black">128 -&gt; 255</text></svg>';
    const pixels = new Resvg(svg, rasterOptions()).render().pixels;
    let dark = 0;
    for (let i = 0; i < pixels.length; i += 4) if (pixels[i] < 128) dark++;
    // Without a font resvg drops text and the image stays white.
    expect(dark).toBeGreaterThan(200);
  });
});

describe("edge inputs", () => {
  const t0 = Date.UTC(2026, 10, 25, 6, 0, 0);
  const cases: Array<[string, () => Record<string, unknown>]> = [
    ["empty log2 histogram", () => histogramSpec({ kind: "log2", buckets: [] })],
    ["empty linear histogram, log scale", () => histogramSpec({ kind: "linear", buckets: [] }, { logScale: true })],
    ["sections with an empty one, log scale", () =>
      histogramSpec({ kind: "log2", sections: [{ section: "a", buckets: [] }, { section: "b", buckets: [{ index: 3, count: 1 }] }] }, { logScale: true })],
    ["table chart of no rows", () => tableChartSpec([])],
    ["table chart of text-only rows", () => tableChartSpec([{ name: "a" }, { name: "b" }])],
    ["time series of no points", () => timeSeriesSpec([])],
    ["time series of one point", () => timeSeriesSpec([{ t: t0, series: "x", value: 1 }])],
    ["heat map of no cells", () => heatMapSpec([])],
    ["heat map of one interval", () => heatMapSpec([{ t: t0, bucket: 0, count: 0n }, { t: t0, bucket: 2, count: 5n }])],
  ];
  it.each(cases)("%s compiles and renders without a warning", async (_name, make) => {
    const spec = make();
    noWarnings(spec);
    const r = await renderVegaLite(spec);
    expect(r.warnings).toEqual([]);
    expect(isPng(r.pngBase64)).toBe(true);
  });
});

describe("rasterizing", () => {
  it("leaves out only the labels Vega hid", () => {
    const svg = '<svg><text opacity="1" x="1">shown</text><text x="2" opacity="0">hidden</text><text x="3">plain</text><text opacity="0.5">half</text></svg>';
    expect(dropHiddenText(svg)).toBe('<svg><text opacity="1" x="1">shown</text><text x="3">plain</text><text opacity="0.5">half</text></svg>');
  });
});

describe("hostile names", () => {
  const nasty = `a"b'c\\d\n<e>&\\`;
  const t0 = Date.UTC(2026, 10, 25, 6, 0, 0);
  const cases: Array<[string, () => Promise<DisplayData>]> = [
    ["histogram", () => histogram({ kind: "log2", unit: nasty, buckets: [{ index: 2, count: 3 }] }, { title: nasty })],
    ["sectioned histogram", () =>
      histogram({ kind: "linear", unit: nasty, sectionHeader: nasty, sections: [{ section: nasty, buckets: [{ index: 0, count: 1 }] }] }, { title: nasty })],
    ["table chart", () => tableChart([{ [nasty]: nasty, value: 3 }, { [nasty]: "x", value: 1 }], { title: nasty })],
    ["time series", () => timeSeries([{ t: t0, series: nasty, value: 1 }, { t: t0 + 1000, series: nasty, value: 2 }], { unit: nasty, title: nasty })],
    ["heat map", () => heatMap([{ t: t0, bucket: 3, count: 1 }], { unit: nasty, title: nasty })],
  ];
  it.each(cases)("%s with quotes, backslashes and markup in every name renders", async (_name, make) => {
    const d = await make();
    expect(isPng(d.data["image/png"] as string)).toBe(true);
    expect((d.metadata as { ibcc: { warnings?: string[] } }).ibcc.warnings).toBeUndefined();
    expect(String(d.data["image/svg+xml"])).not.toContain("<e>");
  });
});

describe("render failures", () => {
  it("still sends the spec and text, with the reason in the metadata", async () => {
    const spec = { $schema: VEGALITE_SCHEMA, data: { values: [] }, mark: "no-such-mark" };
    const d = await vegaLiteBundle(spec, { view: "vegalite", text: "<chart>" });
    expect(Object.keys(d.data).sort()).toEqual([VEGALITE_MIME, "text/plain"].sort());
    expect((d.metadata as { ibcc: { renderError?: string } }).ibcc.renderError).toBeTruthy();
  });
});
