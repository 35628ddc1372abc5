/**
 * Server-side rendering of chart specs: Vega-Lite is compiled to Vega, Vega
 * draws SVG with its headless "none" renderer, and resvg rasterizes that SVG
 * to PNG. nbconvert shows the SVG, GitHub the PNG; both come from the very
 * spec the front end renders live.
 */
import * as vl from "vega-lite";
import * as vega from "vega";
import { renderAsync, type ResvgRenderOptions } from "@resvg/resvg-js";
import { fontFiles, SANS_FAMILY } from "./fonts.js";

/** A Vega-Lite v5 spec (kept loose: the builders here make them). */
export type VegaLiteSpec = Record<string, unknown>;
/** A Vega v5 spec. */
export type VegaSpec = Record<string, unknown>;

export interface RenderedChart {
  svg: string;
  /** PNG bytes, base64-encoded as Jupyter wants image/png. */
  pngBase64: string;
  /** Warnings from the Vega-Lite compiler and Vega runtime; empty for a good spec. */
  warnings: string[];
  /** Milliseconds spent compiling, drawing SVG and rasterizing PNG. */
  timings: { compile: number; svg: number; png: number };
}

/** A vega logger that keeps what it is told instead of printing it. */
export function collectingLogger(sink: string[]): vega.LoggerInterface {
  let level = vega.Warn;
  const logger: vega.LoggerInterface = {
    level(l?: number) {
      if (l === undefined) return level as never;
      level = l;
      return logger as never;
    },
    error(...args: readonly unknown[]) {
      sink.push(`error: ${args.map(String).join(" ")}`);
      return logger;
    },
    warn(...args: readonly unknown[]) {
      if (level >= vega.Warn) sink.push(`warn: ${args.map(String).join(" ")}`);
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  } as vega.LoggerInterface;
  return logger;
}

/** Compiles a Vega-Lite spec to Vega, collecting the compiler's warnings. */
export function compileVegaLite(spec: VegaLiteSpec, warnings: string[] = []): VegaSpec {
  const logger = collectingLogger(warnings);
  return vl.compile(spec as unknown as vl.TopLevelSpec, { logger }).spec as unknown as VegaSpec;
}

/** Draws a Vega spec to SVG without a browser. */
export async function vegaToSvg(spec: VegaSpec, warnings: string[] = []): Promise<string> {
  const view = new vega.View(vega.parse(spec as vega.Spec), {
    renderer: "none",
    logger: collectingLogger(warnings),
  });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** resvg's options: the system's sans-serif regular and bold faces, so labels show. */
export function rasterOptions(): ResvgRenderOptions {
  const files = fontFiles();
  return {
    font: {
      // Loading every system font costs ~50 ms a render; a known pair is enough.
      loadSystemFonts: files.length === 0,
      fontFiles: files,
      defaultFontFamily: SANS_FAMILY,
      sansSerifFamily: SANS_FAMILY,
    },
  };
}

/**
 * Labels Vega hid to avoid overlap stay in its SVG with opacity 0; resvg would
 * still shape them (text is most of its time), so they go before rasterizing.
 */
export function dropHiddenText(svg: string): string {
  return svg.replace(/<text\b[^>]*\sopacity="0"[^>]*>[^<]*<\/text>/g, "");
}

/** Rasterizes SVG to PNG on a libuv thread, so the kernel keeps answering heartbeats. */
export async function svgToPng(svg: string): Promise<Buffer> {
  return (await renderAsync(dropHiddenText(svg), rasterOptions())).asPng();
}

async function timed<T>(f: () => T | Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await f();
  return [value, performance.now() - t0];
}

/** Renders a Vega spec to SVG and PNG. */
export async function renderVega(spec: VegaSpec, warnings: string[] = []): Promise<RenderedChart> {
  const [svg, svgMs] = await timed(() => vegaToSvg(spec, warnings));
  const [png, pngMs] = await timed(() => svgToPng(svg));
  return { svg, pngBase64: png.toString("base64"), warnings, timings: { compile: 0, svg: svgMs, png: pngMs } };
}

/** Renders a Vega-Lite spec to SVG and PNG. */
export async function renderVegaLite(spec: VegaLiteSpec): Promise<RenderedChart> {
  const warnings: string[] = [];
  const [compiled, compileMs] = await timed(() => compileVegaLite(spec, warnings));
  const out = await renderVega(compiled, warnings);
  out.timings.compile = compileMs;
  return out;
}
