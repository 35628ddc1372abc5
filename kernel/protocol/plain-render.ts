/**
 * The renderer used when the display layer (kernel/display/) is not built: a
 * value's own Symbol.for("Jupyter.display") bundle, else util.inspect text.
 */
import { inspect } from "node:util";
import type { DisplayData, MimeBundle } from "../io.js";

const DISPLAY = Symbol.for("Jupyter.display");

export async function plainRender(value: unknown): Promise<DisplayData> {
  const own = (value as { [DISPLAY]?: () => unknown } | null | undefined)?.[DISPLAY];
  if (typeof own === "function") {
    const bundle = (await own.call(value)) as MimeBundle | DisplayData;
    if (bundle && typeof bundle === "object" && "data" in bundle && typeof bundle.data === "object") return bundle as DisplayData;
    return { data: bundle as MimeBundle, metadata: {} };
  }
  return { data: { "text/plain": typeof value === "string" ? value : inspect(value, { depth: 4 }) }, metadata: {} };
}
