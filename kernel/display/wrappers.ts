/**
 * Rich values for the cell globals `html`, `md`, `svg` and `vegalite`: each
 * carries its bundle through the Jupyter.display convention.
 */
import type { DisplayData } from "../io.js";
import { DISPLAY, type Displayable } from "./bundle.js";

/** Accepts `html\`...\`` (a tagged template) as well as `html(str)`. */
function textOf(parts: TemplateStringsArray | string, values: unknown[]): string {
  if (typeof parts === "string") return parts;
  return parts.reduce((acc, part, i) => acc + part + (i < values.length ? String(values[i]) : ""), "");
}

class RichText implements Displayable {
  constructor(
    readonly mime: string,
    readonly text: string,
  ) {}
  [DISPLAY]() {
    return { [this.mime]: this.text, "text/plain": this.text };
  }
  toString(): string {
    return this.text;
  }
}

export function html(parts: TemplateStringsArray | string, ...values: unknown[]): Displayable {
  return new RichText("text/html", textOf(parts, values));
}

export function md(parts: TemplateStringsArray | string, ...values: unknown[]): Displayable {
  return new RichText("text/markdown", textOf(parts, values));
}

export function svg(parts: TemplateStringsArray | string, ...values: unknown[]): Displayable {
  return new RichText("image/svg+xml", textOf(parts, values));
}

const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/**
 * A Vega-Lite chart. The bundle comes from the display layer's chart builder
 * (spec, server-side SVG and PNG, text), loaded when first shown since vega is
 * heavy; should rendering fail, the spec alone is still shown.
 */
export function vegalite(spec: Record<string, unknown>): Displayable {
  const full = { $schema: SCHEMA, ...spec };
  const text = `<Vega-Lite chart${typeof spec.title === "string" ? `: ${spec.title}` : ""}>`;
  return {
    async [DISPLAY](): Promise<DisplayData> {
      try {
        const { vegaLiteBundle } = await import("./chart-bundle.js");
        return await vegaLiteBundle(full as never, { view: "vegalite", text });
      } catch {
        return { data: { "application/vnd.vegalite.v5+json": full, "text/plain": text } };
      }
    },
  };
}
