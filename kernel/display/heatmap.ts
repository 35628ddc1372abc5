/**
 * A latency heat map: time across, log2 bucket up, colour for how many
 * events fell in that bucket in that interval. Each rect spans from its
 * sample time to the next one, so uneven sampling still tiles.
 */
import type { DisplayData } from "../io.js";
import { toBigInt, type Count } from "./bcc-text.js";
import { vegaLiteBundle, VEGALITE_SCHEMA } from "./chart-bundle.js";
import { groupDigits } from "./format.js";
import { isoTime, type ViewSource } from "./metadata.js";
import type { VegaLiteSpec } from "./render.js";
import { emptyChartSpec } from "./empty-chart.js";
import { safeTitle } from "./titles.js";
import { bucketRange } from "./percentile.js";

const millis = (t: Date | number) => (t instanceof Date ? t.getTime() : t);

export interface HeatCell {
  /** Start of the interval the counts cover. */
  t: Date | number;
  /** log2 bucket index (bpf_log2l), as in a histogram. */
  bucket: number;
  count: Count;
}

export interface HeatMapOptions {
  title?: string;
  /** The value's unit, for the bucket axis ("usecs"). */
  unit?: string;
  /** Only the latest intervals are drawn, so a long watch keeps a bounded output (default 240). */
  maxIntervals?: number;
  source?: ViewSource;
}

export const DEFAULT_MAX_INTERVALS = 240;

/** The cells of the latest `max` sample times. */
function latestCells(cells: HeatCell[], max: number): HeatCell[] {
  const times = [...new Set(cells.map((c) => millis(c.t)))].sort((a, b) => a - b);
  if (times.length <= max) return cells;
  const first = times[times.length - max];
  return cells.filter((c) => millis(c.t) >= first);
}

/** bcc's log2 range label of a bucket ("128 -> 255"). */
export function log2Label(index: number): string {
  if (index <= 0) return "0";
  const { low, high } = bucketRange("log2", index);
  return `${low} -> ${high}`;
}

export function heatMapSpec(all: HeatCell[], options: HeatMapOptions = {}): VegaLiteSpec {
  const cells = latestCells(all, options.maxIntervals ?? DEFAULT_MAX_INTERVALS);
  if (cells.length === 0) return emptyChartSpec(options.title);
  const times = [...new Set(cells.map((c) => millis(c.t)))].sort((a, b) => a - b);
  const steps = times.slice(1).map((t, i) => t - times[i]).sort((a, b) => a - b);
  const step = steps.length ? steps[steps.length >> 1] : 1000;
  const next = new Map(times.map((t, i) => [t, times[i + 1] ?? t + step]));
  const buckets = cells.map((c) => c.bucket);
  const lo = buckets.length ? Math.min(...buckets) : 0;
  const hi = buckets.length ? Math.max(...buckets) : 0;
  // Every bucket between the extremes gets a row, empty or not, so the axis stays log2.
  const domain = Array.from({ length: hi - lo + 1 }, (_, i) => log2Label(hi - i));
  const values = cells.map((c) => ({
    t: millis(c.t),
    t2: next.get(millis(c.t)),
    bucket: c.bucket,
    range: log2Label(c.bucket),
    count: Number(c.count),
  }));
  return {
    $schema: VEGALITE_SCHEMA,
    ...(options.title ? { title: options.title } : {}),
    data: { values },
    mark: { type: "rect", tooltip: true },
    width: 560,
    height: { step: 14 },
    encoding: {
      x: { field: "t", type: "temporal", title: "time", axis: { format: "%H:%M:%S", labelOverlap: true } },
      x2: { field: "t2" },
      y: { field: "range", type: "ordinal", scale: { domain }, title: safeTitle(options.unit ?? "value") },
      color: { field: "count", type: "quantitative", scale: { scheme: "orangered", type: "sqrt" }, title: "count" },
    },
  };
}

/** Per interval: total events and the busiest bucket. */
export function heatMapText(all: HeatCell[], options: HeatMapOptions = {}): string {
  const cells = latestCells(all, options.maxIntervals ?? DEFAULT_MAX_INTERVALS);
  const byTime = new Map<number, HeatCell[]>();
  for (const c of cells) {
    const list = byTime.get(millis(c.t));
    if (list) list.push(c);
    else byTime.set(millis(c.t), [c]);
  }
  const lines = [...byTime.entries()]
    .sort(([a], [b]) => a - b)
    .map(([t, cs]) => {
      const total = cs.reduce((s, c) => s + toBigInt(c.count), 0n);
      const peak = cs.reduce((m, c) => (toBigInt(c.count) > toBigInt(m.count) ? c : m));
      return `${isoTime(t)}  ${groupDigits(total)} events, most in ${log2Label(peak.bucket)} ${options.unit ?? ""}`.trimEnd();
    });
  return [options.title, ...lines].filter((l) => l !== undefined).join("\n");
}

export function heatMap(cells: HeatCell[], options: HeatMapOptions = {}): Promise<DisplayData> {
  return vegaLiteBundle(heatMapSpec(cells, options), {
    view: "heatmap",
    text: heatMapText(cells, options),
    source: options.source,
    options: { unit: options.unit, title: options.title, maxIntervals: options.maxIntervals },
  });
}
