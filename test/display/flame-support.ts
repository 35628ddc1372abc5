export { flameGraph, flameGraphSpec, foldedStacks, VEGA_MIME, VEGA_SCHEMA, type StackSample } from "../../kernel/display/index.js";
import { frameTree } from "../../kernel/display/flamegraph.js";
export { MAX_FOLDED_LINES } from "../../kernel/display/flamegraph.js";
import type { StackSample } from "../../kernel/display/index.js";

/** Frames in the merged tree, the root included. */
export function frameTreeSize(samples: StackSample[]): number {
  return frameTree(samples).length;
}
