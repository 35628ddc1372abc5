/**
 * The bundle of a chart: the live spec, SVG and PNG rendered from that same
 * spec, and text. Never text/html: JupyterLab ranks HTML above Vega, and the
 * chart would vanish behind it.
 */
import type { DisplayData } from "../io.js";
import { ibccMetadata, type ViewSource } from "./metadata.js";
import type { RenderedChart, VegaLiteSpec, VegaSpec } from "./render.js";

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

interface Rendered {
  svg: string;
  pngBase64: string;
  warnings: string[];
}

function bundleOf(mime: string, spec: Record<string, unknown>, input: ChartBundleInput, r: Rendered | Error): DisplayData {
  const metadata: Record<string, unknown> = ibccMetadata(input.view, input.source, input.options);
  const ibcc = metadata.ibcc as Record<string, unknown>;
  if (r instanceof Error) {
    // The live spec still goes out: the front end may draw what the server could not.
    ibcc.renderError = r.message;
    return { data: { [mime]: spec, "text/plain": input.text }, metadata };
  }
  if (r.warnings.length) ibcc.warnings = r.warnings;
  return {
    data: {
      [mime]: spec,
      "image/svg+xml": r.svg,
      "image/png": r.pngBase64,
      "text/plain": input.text,
    },
    metadata,
  };
}

const asError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));

/**
 * Vega, Vega-Lite and resvg cost about half a second of start-up: the modules
 * that build charts load at start (magics import them), the renderer only when
 * the first chart is drawn.
 */
let renderer: Promise<typeof import("./render.js")> | undefined;
function render<K extends "renderVega" | "renderVegaLite">(kind: K, spec: Record<string, unknown>): Promise<RenderedChart> {
  renderer ??= import("./render.js");
  return renderer.then((r) => r[kind](spec));
}

/** A Vega-Lite chart's bundle; if the server cannot render it, the spec and text alone. */
export async function vegaLiteBundle(spec: VegaLiteSpec, input: ChartBundleInput): Promise<DisplayData> {
  const r = await render("renderVegaLite", spec).catch(asError);
  return bundleOf(VEGALITE_MIME, spec, input, r);
}

/** A Vega chart's bundle (for what Vega-Lite cannot draw, like a flame graph). */
export async function vegaBundle(spec: VegaSpec, input: ChartBundleInput): Promise<DisplayData> {
  const r = await render("renderVega", spec).catch(asError);
  return bundleOf(VEGA_MIME, spec, input, r);
}
