/**
 * Log2 and linear histograms (BPF_HISTOGRAM maps): a bar chart of the bucket
 * ranges BCC prints, and BCC's own star-bar text as text/plain.
 */
import type { DisplayData } from "../io.js";
import { denseCounts, histRows, linearHistLines, log2HistLines, sectionLines, type Count, type HistRow } from "./bcc-text.js";
import { vegaLiteBundle, VEGALITE_SCHEMA } from "./chart-bundle.js";
import type { ViewSource } from "./metadata.js";
import type { VegaLiteSpec } from "./render.js";
import { emptyChartSpec } from "./empty-chart.js";
import { safeTitle } from "./titles.js";

export interface HistogramBucket {
  /** The slot: log2 bucket (bpf_log2l) or linear index. */
  index: number;
  count: Count;
}

export interface HistogramSection {
  /** The section key as text (bcc's section_print_fn result). */
  section: string;
  buckets: HistogramBucket[];
}

export interface HistogramData {
  kind: "log2" | "linear";
  /** A histogram without sections. */
  buckets?: HistogramBucket[];
  /** One histogram per section key, shown in this order (takes precedence over buckets). */
  sections?: HistogramSection[];
  /** Names the section key, as bcc's section_header (default "Bucket ptr"). */
  sectionHeader?: string;
  /** The value's unit ("usecs", "bytes"): bcc's val_type column header (default "value"). */
  unit?: string;
  /** Width of a linear bucket in the unit, for the chart's range labels (default 1). */
  linearStep?: number;
  /** Starts at the first non-empty bucket, as bcc's strip_leading_zero. */
  stripLeadingZero?: boolean;
}

export interface HistogramOptions {
  title?: string;
  /** A log-scaled count axis (symlog, so empty buckets still show). */
  logScale?: boolean;
  source?: ViewSource;
}

function sectionsOf(data: HistogramData): Array<{ section?: string; buckets: HistogramBucket[] }> {
  return data.sections ?? [{ buckets: data.buckets ?? [] }];
}

/** Exactly what bcc's print_log2_hist / print_linear_hist print for the same counts. */
export function histogramText(data: HistogramData): string {
  const valType = data.unit ?? "value";
  const print = data.kind === "log2" ? log2HistLines : linearHistLines;
  const lines: string[] = [];
  for (const s of sectionsOf(data)) {
    if (data.sections) lines.push(...sectionLines(data.sectionHeader ?? "Bucket ptr", s.section ?? ""));
    lines.push(...print(denseCounts(s.buckets), valType, data.stripLeadingZero ?? false));
  }
  return lines.map((l) => l + "\n").join("");
}

function rangeLabel(kind: HistogramData["kind"], row: HistRow, step: number): string {
  if (kind === "log2") return `${row.low} -> ${row.high}`;
  if (step === 1) return String(row.index);
  const lo = row.index * step;
  return Number.isInteger(step) ? `${lo} -> ${lo + step - 1}` : `${lo} -> ${lo + step}`;
}

/** The chart's rows: the buckets bcc prints, one per bar. */
export function histogramValues(data: HistogramData): Array<Record<string, unknown>> {
  const values: Array<Record<string, unknown>> = [];
  sectionsOf(data).forEach((s, order) => {
    const { rows } = histRows(denseCounts(s.buckets), data.kind, data.stripLeadingZero ?? false);
    for (const row of rows) {
      const v: Record<string, unknown> = {
        index: row.index,
        bucket: rangeLabel(data.kind, row, data.linearStep ?? 1),
        count: Number(row.count),
      };
      if (data.sections) Object.assign(v, { section: s.section, sectionOrder: order });
      values.push(v);
    }
  });
  return values;
}

/** The Vega-Lite spec: horizontal bars in bcc's top-to-bottom bucket order. */
export function histogramSpec(data: HistogramData, options: HistogramOptions = {}): VegaLiteSpec {
  const unit = safeTitle(data.unit ?? "value");
  const values = histogramValues(data);
  if (values.length === 0) return emptyChartSpec(options.title, "no counts yet");
  const perSection = new Map<unknown, number>();
  for (const v of values) perSection.set(v.section, (perSection.get(v.section) ?? 0) + 1);
  const rows = Math.max(0, ...perSection.values());
  // A bar per text line up to 64 rows (every log2 bucket); a long linear histogram gets a fixed height.
  const tall = rows > 64;
  const unitSpec = {
    mark: { type: "bar" },
    height: tall ? 640 : { step: 16 },
    width: 480,
    encoding: {
      y: {
        field: "bucket",
        type: "ordinal",
        sort: { field: "index", op: "min" },
        title: unit,
        ...(tall ? { axis: { labelOverlap: "parity" } } : {}),
      },
      x: {
        field: "count",
        type: "quantitative",
        title: "count",
        ...(options.logScale ? { scale: { type: "symlog" } } : {}),
      },
      tooltip: [
        ...(data.sections ? [{ field: "section", type: "nominal", title: safeTitle(data.sectionHeader ?? "Bucket ptr") }] : []),
        { field: "bucket", type: "ordinal", title: unit },
        { field: "count", type: "quantitative", title: "count", format: "," },
      ],
    },
  };
  const top: VegaLiteSpec = {
    $schema: VEGALITE_SCHEMA,
    ...(options.title ? { title: options.title } : {}),
    data: { values },
  };
  if (!data.sections) return { ...top, ...unitSpec };
  return {
    ...top,
    facet: {
      row: {
        field: "section",
        type: "nominal",
        sort: { field: "sectionOrder", op: "min" },
        // Each section headed "disk = sda", as bcc heads its text sections.
        header: {
          title: null,
          labelOrient: "top",
          labelAnchor: "start",
          labelAngle: 0,
          labelFontWeight: "bold",
          labelExpr: `${JSON.stringify(`${data.sectionHeader ?? "Bucket ptr"} = `)} + datum.value`,
        },
      },
    },
    spec: unitSpec,
    resolve: { scale: { y: "independent" } },
  };
}

/** A histogram's display: chart, SVG, PNG and bcc's text. */
export function histogram(data: HistogramData, options: HistogramOptions = {}): Promise<DisplayData> {
  return vegaLiteBundle(histogramSpec(data, options), {
    view: "histogram",
    text: histogramText(data),
    source: options.source,
    options: {
      kind: data.kind,
      unit: data.unit,
      linearStep: data.linearStep,
      sectionHeader: data.sections ? data.sectionHeader ?? "Bucket ptr" : undefined,
      stripLeadingZero: data.stripLeadingZero,
      logScale: options.logScale,
      title: options.title,
    },
  });
}
