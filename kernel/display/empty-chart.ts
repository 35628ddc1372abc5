/**
 * What a chart shows before it has data (a watch's first frame, an empty
 * map): a line of text instead of axes with infinite extents, which Vega
 * would warn about.
 */
import { VEGALITE_SCHEMA } from "./chart-bundle.js";
import type { VegaLiteSpec } from "./render.js";

export function emptyChartSpec(title: string | undefined, message = "no data yet"): VegaLiteSpec {
  return {
    $schema: VEGALITE_SCHEMA,
    ...(title ? { title } : {}),
    data: { values: [{ message }] },
    mark: { type: "text", fontSize: 13, color: "#666" },
    encoding: { text: { field: "message", type: "nominal" } },
    width: 240,
    height: 40,
  };
}
