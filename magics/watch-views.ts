/**
 * Watch views that remember earlier frames: a latency heat map (per interval,
 * how many events fell in each log2 bucket) and a line over time (a counter's
 * rate, or a percentile of a histogram). Each call of the returned function
 * reads the map once and draws everything seen so far.
 */
import { heatMap, type HeatCell } from "../kernel/display/heatmap.js";
import { percentile } from "../kernel/display/percentile.js";
import { timeSeries, type TimePoint } from "../kernel/display/timeseries.js";
import type { ViewSource } from "../kernel/display/metadata.js";
import type { DisplayData } from "../kernel/plugin.js";
import type { HistogramData } from "../kernel/display/histogram.js";

type Buckets = NonNullable<HistogramData["buckets"]>;

const big = (c: number | bigint): bigint => (typeof c === "bigint" ? c : BigInt(c));

/**
 * Heat map of what each interval added to a histogram: the map keeps counting
 * (its counts only grow), so an interval's cell is the difference to the
 * previous read.
 */
export function heatMapView(read: () => Buckets, options: { title?: string; unit?: string; source?: () => ViewSource }): () => Promise<DisplayData> {
  const cells: HeatCell[] = [];
  let previous = new Map<number, bigint>();
  return () => {
    const now = Date.now();
    const current = new Map(read().map((b) => [b.index, big(b.count)]));
    for (const [index, count] of current) {
      const added = count - (previous.get(index) ?? 0n);
      if (added > 0n) cells.push({ t: now, bucket: index, count: added });
    }
    previous = current;
    return heatMap(cells, { title: options.title, unit: options.unit, source: options.source?.() });
  };
}

/**
 * A line over time: `rate` draws what the summed values added per second;
 * `p50`/`p90`/`p99`-style names draw that percentile's upper bound from a
 * histogram map.
 */
export function lineView(
  read: () => { total: bigint; buckets?: Buckets },
  metric: string,
  options: { title?: string; unit?: string; source?: () => ViewSource },
): () => Promise<DisplayData> {
  const points: TimePoint[] = [];
  let last: { t: number; total: bigint } | undefined;
  const pct = /^p(\d+(?:\.\d+)?)$/.exec(metric);
  if (!pct && metric !== "rate" && metric !== "total") throw new Error(`watch line: metric must be "rate", "total" or a percentile like "p99", not "${metric}"`);
  return () => {
    const t = Date.now();
    const r = read();
    if (pct) {
      const p = percentile(r.buckets ?? [], Number(pct[1]));
      if (p) points.push({ t, series: metric, value: Number(p.high) });
    } else if (metric === "total") {
      points.push({ t, series: "total", value: r.total });
    } else {
      if (last && t > last.t) points.push({ t, series: "per second", value: Number(r.total - last.total) / ((t - last.t) / 1000) });
      last = { t, total: r.total };
    }
    const unit = options.unit ?? (pct ? `${metric}` : metric === "rate" ? "per second" : "total");
    return timeSeries(points, { title: options.title, unit, source: options.source?.() });
  };
}
