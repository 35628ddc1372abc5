/**
 * A counter or percentile over time, one line per series: what a watch draws
 * when it samples a map every few seconds.
 */
import type { DisplayData } from "../plugin.js";
import { vegaLiteBundle, VEGALITE_SCHEMA } from "./chart-bundle.js";
import { isoTime, type ViewSource } from "./metadata.js";
import type { VegaLiteSpec } from "./render.js";
import { emptyChartSpec } from "./empty-chart.js";
import { textTable } from "./text-table.js";

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
  source?: ViewSource;
}

const millis = (t: Date | number) => (t instanceof Date ? t.getTime() : t);

export function timeSeriesSpec(points: TimePoint[], options: TimeSeriesOptions = {}): VegaLiteSpec {
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
        title: options.unit ?? "value",
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
    options: { unit: options.unit, logScale: options.logScale, title: options.title },
  });
}
