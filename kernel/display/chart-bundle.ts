/**
 * The bundle of a chart: the live spec, SVG and PNG rendered from that same
 * spec, and text. Never text/html: JupyterLab ranks HTML above Vega, and the
 * chart would vanish behind it.
 */
import type { DisplayData } from "../plugin.js";
import { ibccMetadata, type ViewSource } from "./metadata.js";
import { renderVega, renderVegaLite, type VegaLiteSpec, type VegaSpec } from "./render.js";

export const VEGALITE_MIME = "application/vnd.vegalite.v5+json";
export const VEGA_MIME = "application/vnd.vega.v5+json";
export const VEGALITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";
export const VEGA_SCHEMA = "https://vega.github.io/schema/vega/v5.json";

export interface ChartBundleInput {
  /** Which view this is, for the metadata. */
  view: string;
  text: string;
  source?: ViewSource;
  options?: Record<string, unknown>;
}

function bundleOf(
  mime: string,
  spec: Record<string, unknown>,
  svg: string,
  png: string,
  input: ChartBundleInput,
  warnings: string[],
): DisplayData {
  const metadata: Record<string, unknown> = ibccMetadata(input.view, input.source, input.options);
  if (warnings.length) (metadata.ibcc as Record<string, unknown>).warnings = warnings;
  return {
    data: {
      [mime]: spec,
      "image/svg+xml": svg,
      "image/png": png,
      "text/plain": input.text,
    },
    metadata,
  };
}

/** A Vega-Lite chart's bundle. */
export async function vegaLiteBundle(spec: VegaLiteSpec, input: ChartBundleInput): Promise<DisplayData> {
  const r = await renderVegaLite(spec);
  return bundleOf(VEGALITE_MIME, spec, r.svg, r.pngBase64, input, r.warnings);
}

/** A Vega chart's bundle (for what Vega-Lite cannot draw, like a flame graph). */
export async function vegaBundle(spec: VegaSpec, input: ChartBundleInput): Promise<DisplayData> {
  const warnings: string[] = [];
  const r = await renderVega(spec, warnings);
  return bundleOf(VEGA_MIME, spec, r.svg, r.pngBase64, input, r.warnings);
}
