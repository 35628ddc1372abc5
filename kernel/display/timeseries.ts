/**
 * A counter or percentile over time, one line per series: what a watch draws
 * when it samples a map every few seconds.
 */
import type { DisplayData } from "../io.js";
import { vegaLiteBundle, VEGALITE_SCHEMA } from "./chart-bundle.js";
import { isoTime, type ViewSource } from "./metadata.js";
import type { VegaLiteSpec } from "./render.js";
import { emptyChartSpec } from "./empty-chart.js";
import { safeTitle } from "./titles.js";
import { textTable } from "./text-table.js";

const millis = (t: Date | number) => (t instanceof Date ? t.getTime() : t);

export interface TimePoint {
  t: Date | number;
  series: string;
  value: number | bigint;
}

export interface TimeSeriesOptions {
  title?: string;
  /** The value's unit or name, for the y axis ("events/s", "p99 usecs"). */
  unit?: string;
  /** A log-scaled value axis. */
  logScale?: boolean;
  /** Only the latest points of each series are drawn, so a long watch keeps a bounded output (default 1000). */
  maxPoints?: number;
  source?: ViewSource;
}

export const DEFAULT_MAX_POINTS = 1000;

/** The latest `max` points of each series, in input order. */
function latestPoints(points: TimePoint[], max: number): TimePoint[] {
  const perSeries = new Map<string, number>();
  for (const p of points) perSeries.set(p.series, (perSeries.get(p.series) ?? 0) + 1);
  if ([...perSeries.values()].every((n) => n <= max)) return points;
  const ranked = points.map((p, i) => ({ p, i })).sort((a, b) => millis(b.p.t) - millis(a.p.t) || b.i - a.i);
  const taken = new Map<string, number>();
  const keep = new Set<number>();
  for (const { p, i } of ranked) {
    const n = taken.get(p.series) ?? 0;
    if (n < max) {
      taken.set(p.series, n + 1);
      keep.add(i);
    }
  }
  return points.filter((_, i) => keep.has(i));
}

export function timeSeriesSpec(all: TimePoint[], options: TimeSeriesOptions = {}): VegaLiteSpec {
  const points = latestPoints(all, options.maxPoints ?? DEFAULT_MAX_POINTS);
  const values = points.map((p) => ({ t: millis(p.t), series: p.series, value: Number(p.value) }));
  if (values.length === 0) return emptyChartSpec(options.title);
  return {
    $schema: VEGALITE_SCHEMA,
    ...(options.title ? { title: options.title } : {}),
    data: { values },
    mark: { type: "line", point: values.length <= 60, tooltip: true },
    width: 560,
    height: 240,
    encoding: {
      x: { field: "t", type: "temporal", title: "time", axis: { format: "%H:%M:%S", labelOverlap: true } },
      y: {
        field: "value",
        type: "quantitative",
        title: safeTitle(options.unit ?? "value"),
        ...(options.logScale ? { scale: { type: "symlog" } } : {}),
      },
      color: { field: "series", type: "nominal", title: "series" },
    },
  };
}

/** The latest value of each series, as text. */
export function timeSeriesText(points: TimePoint[], options: TimeSeriesOptions = {}): string {
  const latest = new Map<string, TimePoint>();
  for (const p of points) {
    const prev = latest.get(p.series);
    if (!prev || millis(p.t) >= millis(prev.t)) latest.set(p.series, p);
  }
  const rows = [...latest.values()].map((p) => [p.series, isoTime(p.t), String(p.value)]);
  return textTable({
    title: options.title,
    columns: ["series", "time", options.unit ?? "value"],
    rows,
    numeric: [false, false, true],
  });
}

export function timeSeries(points: TimePoint[], options: TimeSeriesOptions = {}): Promise<DisplayData> {
  return vegaLiteBundle(timeSeriesSpec(points, options), {
    view: "timeseries",
    text: timeSeriesText(points, options),
    source: options.source,
    options: { unit: options.unit, logScale: options.logScale, title: options.title, maxPoints: options.maxPoints },
  });
}
