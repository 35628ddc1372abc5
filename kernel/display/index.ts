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
 * - metadata.ibcc records the view and its source (kernel release, libbcc
 *   version, program tag, capture window) so the view can be reproduced.
 * Chart builders are async (rendering); table builders are synchronous.
 */
export type { DisplayData, MimeBundle } from "../plugin.js";
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
export { renderVegaLite, renderVega, compileVegaLite, type VegaLiteSpec, type VegaSpec, type RenderedChart } from "./render.js";
