/**
 * Stack traces as a flame graph. Vega-Lite has no hierarchy layouts, so this
 * is a Vega spec: stratify the frame tree, lay it out with the partition
 * transform, and flip it so the root sits at the bottom. text/plain is the
 * folded-stack format ("a;b;c 12") that flamegraph.pl and speedscope read.
 */
import type { DisplayData } from "../io.js";
import { vegaBundle, VEGA_SCHEMA } from "./chart-bundle.js";
import type { ViewSource } from "./metadata.js";
import { toBigInt } from "./bcc-text.js";
import type { VegaSpec } from "./render.js";

export interface StackSample {
  /** Frames, root (outermost caller) first. */
  stack: string[];
  count: number | bigint;
}

export interface FlameGraphOptions {
  title?: string;
  /** Width in pixels (default 800). */
  width?: number;
  source?: ViewSource;
}

const ROW = 18;
const EMPTY = "[no frames]";

/** Identical stacks merged, as `a;b;c count` lines in sorted order. */
export function foldedStacks(samples: StackSample[]): string {
  const merged = new Map<string, bigint>();
  for (const s of samples) {
    const key = (s.stack.length ? s.stack : [EMPTY]).join(";");
    merged.set(key, (merged.get(key) ?? 0n) + toBigInt(s.count));
  }
  return [...merged.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, n]) => `${k} ${n}`)
    .join("\n");
}

/** Folded stacks for text/plain: the heaviest MAX_FOLDED_LINES, then a count of the rest. */
function foldedText(samples: StackSample[]): string {
  const lines = foldedStacks(samples).split("\n");
  if (lines.length <= MAX_FOLDED_LINES) return lines.join("\n");
  const count = (l: string) => BigInt(l.slice(l.lastIndexOf(" ") + 1));
  const heaviest = new Set([...lines].sort((a, b) => (count(b) > count(a) ? 1 : count(b) < count(a) ? -1 : 0)).slice(0, MAX_FOLDED_LINES));
  const kept = lines.filter((l) => heaviest.has(l));
  return `${kept.join("\n")}\n… ${lines.length - kept.length} lighter stacks not shown`;
}

interface FrameNode {
  id: number;
  parent: number | null;
  name: string;
  /** Samples ending in this frame. */
  self: number;
  /** Samples through this frame. */
  total: number;
  depth: number;
  children: Map<string, FrameNode>;
}

/** Builds the frame tree; node 0 is the root ("all"). */
export function frameTree(samples: StackSample[]): FrameNode[] {
  const root: FrameNode = { id: 0, parent: null, name: "all", self: 0, total: 0, depth: 0, children: new Map() };
  const nodes = [root];
  for (const s of samples) {
    const n = Number(s.count);
    if (!(n > 0)) continue;
    let node = root;
    node.total += n;
    for (const frame of s.stack.length ? s.stack : [EMPTY]) {
      let child = node.children.get(frame);
      if (!child) {
        child = { id: nodes.length, parent: node.id, name: frame, self: 0, total: 0, depth: node.depth + 1, children: new Map() };
        node.children.set(frame, child);
        nodes.push(child);
      }
      child.total += n;
      node = child;
    }
    node.self += n;
  }
  return nodes;
}

/** Warm colours, stable per function name, as flame graphs traditionally use. */
function colorOf(name: string): string {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return `hsl(${h % 50}, ${70 + (h >> 8) % 20}%, ${55 + (h >> 16) % 12}%)`;
}

/** Folded lines kept in text/plain; the spec and foldedStacks() keep everything. */
export const MAX_FOLDED_LINES = 2000;

/**
 * Frames narrower than half a pixel are left out of the spec (their samples
 * stay in the parent's width), so a profile of a million stacks still makes
 * a spec of a few thousand frames.
 */
function visibleFrames(nodes: FrameNode[], width: number) {
  const total = nodes[0].total || 1;
  const minTotal = total / (2 * width);
  const kept = new Map<number, { id: number; parent: number | null; name: string; value: number; total: number; depth: number }>();
  for (const n of nodes) {
    if (n.id !== 0 && (n.total < minTotal || !kept.has(n.parent!))) {
      // Dropped: its samples count toward the nearest kept ancestor's own width.
      if (n.parent !== null && kept.has(n.parent)) kept.get(n.parent)!.value += n.total;
      continue;
    }
    kept.set(n.id, { id: n.id, parent: n.parent, name: n.name, value: n.self, total: n.total, depth: n.depth });
  }
  return [...kept.values()];
}

export function flameGraphSpec(samples: StackSample[], options: FlameGraphOptions = {}): VegaSpec {
  const width = options.width ?? 800;
  const nodes = visibleFrames(frameTree(samples), width);
  const depth = Math.max(0, ...nodes.map((n) => n.depth)) + 1;
  const total = nodes[0].total || 1;
  const values = nodes.map((n) => ({
    id: n.id,
    parent: n.parent,
    name: n.name,
    value: n.value,
    total: n.total,
    pct: Math.round((n.total / total) * 10000) / 100,
    color: n.id === 0 ? "#c8c8c8" : colorOf(n.name),
  }));
  return {
    $schema: VEGA_SCHEMA,
    ...(options.title ? { title: { text: options.title } } : {}),
    width,
    height: depth * ROW,
    padding: 5,
    data: [
      {
        name: "tree",
        values,
        transform: [
          { type: "stratify", key: "id", parentKey: "parent" },
          {
            type: "partition",
            field: "value",
            sort: { field: "data.name" },
            size: [{ signal: "width" }, { signal: "height" }],
          },
          // Drop frames too narrow to see, as flamegraph.pl does (the root always stays).
          { type: "filter", expr: "datum.x1 - datum.x0 >= 0.5 || datum.id === 0" },
        ],
      },
    ],
    marks: [
      {
        type: "rect",
        name: "frames",
        from: { data: "tree" },
        encode: {
          enter: {
            x: { field: "x0" },
            x2: { field: "x1" },
            y: { signal: "height - datum.y1" },
            y2: { signal: "height - datum.y0 - 1" },
            fill: { field: "color" },
            stroke: { value: "white" },
            strokeWidth: { value: 0.5 },
            tooltip: { signal: "{title: datum.name, samples: datum.total, percent: datum.pct + '%'}" },
          },
        },
      },
      {
        type: "text",
        from: { data: "frames" },
        interactive: false,
        encode: {
          enter: {
            x: { signal: "datum.x + 3" },
            y: { signal: "datum.y + datum.height / 2" },
            baseline: { value: "middle" },
            fontSize: { value: 11 },
            fill: { value: "#000" },
            text: { signal: "datum.width > 24 ? datum.datum.name : ''" },
            limit: { signal: "max(0, datum.width - 6)" },
          },
        },
      },
    ],
  };
}

export function flameGraph(samples: StackSample[], options: FlameGraphOptions = {}): Promise<DisplayData> {
  return vegaBundle(flameGraphSpec(samples, options), {
    view: "flamegraph",
    text: foldedText(samples),
    source: options.source,
    options: { width: options.width, title: options.title },
  });
}
