/**
 * The display layer: plain data in, Jupyter display data out. It knows nothing
 * of BPF or sockets; the BPF side reads maps and hands over bucket counts,
 * rows, events and stacks.
 *
 * Every builder returns a DisplayData ({ data, metadata }) ready for
 * CellIO.display or update_display_data:
 * - a chart carries application/vnd.vegalite.v5+json (or application/vnd.vega.v5+json),
 *   image/svg+xml and image/png rendered on the server from that same spec, and
 *   text/plain; never text/html.
 * - a table carries text/html and text/plain; its chart is a separate output.
 * - metadata.ibcc records the view, its options and its source, so the view
 *   can be reproduced: pass `source: { kernelRelease, libbccVersion,
 *   programTag, captureWindow: { start, end } }` in any builder's options.
 * - a histogram's text/plain is exactly what bcc's print_log2_hist /
 *   print_linear_hist print for the same counts.
 * Chart builders are async (rendering; PNG rasterizes off the main thread);
 * table builders are synchronous. A watch calls a builder again per update.
 */
export type { DisplayData, MimeBundle } from "../io.js";
export type { ViewSource, IbccMetadata } from "./metadata.js";
export type { Count } from "./bcc-text.js";

// Histograms (log2 and linear, with or without sections).
export {
  histogram,
  histogramSpec,
  histogramText,
  type HistogramBucket,
  type HistogramSection,
  type HistogramData,
  type HistogramOptions,
} from "./histogram.js";

// Rendering pieces, for callers that build their own specs (the `vegalite` global).
export { vegaLiteBundle, vegaBundle, VEGALITE_MIME, VEGA_MIME, VEGALITE_SCHEMA, VEGA_SCHEMA } from "./chart-bundle.js";
export { renderVegaLite, renderVega, compileVegaLite, svgToPng, type VegaLiteSpec, type VegaSpec, type RenderedChart } from "./render.js";
export { emptyChartSpec } from "./empty-chart.js";

// Tables: top N of a map, with the rest summed; its bar chart as a separate output.
export { table, tableChart, tableChartSpec, topRows, DEFAULT_TOP, type TableOptions, type TopRows } from "./table-bundle.js";
export type { Row, KeyValuePair, RowsInput } from "./rows.js";

// Info tables for magics (%%bpf summary, %bps, %maps, %features).
export { keyValueList, records, type InfoOptions, type RecordsOptions } from "./info.js";

// Watch views: a counter or percentile over time, and a latency heat map.
export { timeSeries, timeSeriesSpec, timeSeriesText, DEFAULT_MAX_POINTS, type TimePoint, type TimeSeriesOptions } from "./timeseries.js";
export { heatMap, heatMapSpec, heatMapText, log2Label, DEFAULT_MAX_INTERVALS, type HeatCell, type HeatMapOptions } from "./heatmap.js";

// Event streams: the latest K events under a received/lost count.
export { eventTable, eventHeader, DEFAULT_EVENT_ROWS, type EventStream, type EventTableOptions } from "./events.js";

// Stack traces: a Vega flame graph and folded stacks.
export { flameGraph, flameGraphSpec, foldedStacks, MAX_FOLDED_LINES, type StackSample, type FlameGraphOptions } from "./flamegraph.js";

// Text helpers shared with the BPF side's own outputs.
export { escapeHtml } from "./html.js";
export { formatCell, groupDigits } from "./format.js";

// Percentiles from histogram buckets, for percentile lines in watches.
export { percentile, bucketRange, type Percentile, type PercentileBucket } from "./percentile.js";
