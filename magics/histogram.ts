/**
 * A BPF_HISTOGRAM-style map read once: log2 or linear buckets, optionally one
 * histogram per section key (BCC's print_log2_hist section_header). Displays
 * as a chart with BCC's star-bar text as its plain form.
 */
import { histogram as histogramBundle, histogramText, type HistogramData, type HistogramSection } from "../kernel/display/histogram.js";
import type { ViewSource } from "../kernel/display/metadata.js";
import type { DisplayData } from "../kernel/plugin.js";

export interface HistogramOptions {
  /** "log2" (bpf_log2l slots, the default) or "linear". */
  kind?: "log2" | "linear";
  /** A struct key's field that names the section (e.g. "disk"); the rest of the key is the slot. */
  section?: string;
  /** The slot field of a struct key (default: "slot", else the key's only other integer field). */
  slot?: string;
  /** Header of the section line (default: the section field's name). */
  sectionHeader?: string;
  /** The value's unit: BCC's val_type column ("usecs", "bytes"; default "value"). */
  unit?: string;
  /** Width of a linear bucket, for the chart's labels. */
  linearStep?: number;
  title?: string;
  logScale?: boolean;
  stripLeadingZero?: boolean;
}

export class Histogram {
  constructor(
    readonly data: HistogramData,
    readonly options: HistogramOptions = {},
    /** Where the counts came from, recorded in the chart's metadata. */
    readonly source?: ViewSource,
  ) {}

  /** BCC's print_log2_hist / print_linear_hist text. */
  text(): string {
    return histogramText(this.data);
  }

  /** Total count over every bucket. */
  get total(): bigint {
    const all = this.data.sections?.flatMap((s) => s.buckets) ?? this.data.buckets ?? [];
    return all.reduce((s, b) => s + BigInt(b.count), 0n);
  }

  toString(): string {
    return this.text();
  }

  [Symbol.for("Jupyter.display")](): Promise<DisplayData> {
    return histogramBundle(this.data, { title: this.options.title, logScale: this.options.logScale, source: this.source });
  }
}

function toIndex(v: unknown): number {
  return typeof v === "bigint" ? Number(v) : Number(v);
}

function toCount(v: unknown): number | bigint {
  if (Array.isArray(v)) return v.reduce((s: bigint, x) => s + BigInt(x as number | bigint), 0n); // per-CPU
  if (typeof v === "bigint" || typeof v === "number") return v;
  throw new TypeError(`histogram values must be integers, not ${typeof v}`);
}

/** Builds HistogramData from decoded map entries. */
export function histogramFromEntries(entries: [unknown, unknown][], o: HistogramOptions = {}): HistogramData {
  const kind = o.kind ?? "log2";
  const base = { kind, unit: o.unit, linearStep: o.linearStep, stripLeadingZero: o.stripLeadingZero } as const;
  if (o.section === undefined) {
    const buckets = entries.map(([k, v]) => {
      if (k !== null && typeof k === "object") {
        const rec = k as Record<string, unknown>;
        const slot = o.slot ?? ("slot" in rec ? "slot" : Object.keys(rec).find((f) => typeof rec[f] !== "string"));
        return { index: toIndex(rec[slot ?? "slot"]), count: toCount(v) };
      }
      return { index: toIndex(k), count: toCount(v) };
    });
    return { ...base, buckets: buckets.filter((b) => BigInt(b.count) !== 0n || kind === "linear") };
  }
  const sections = new Map<string, HistogramSection>();
  for (const [k, v] of entries) {
    if (k === null || typeof k !== "object") throw new TypeError(`histogram({ section: "${o.section}" }) needs a struct key; this map's key is ${typeof k}`);
    const rec = k as Record<string, unknown>;
    if (!(o.section in rec)) throw new TypeError(`the key has no field '${o.section}'; its fields are ${Object.keys(rec).join(", ")}`);
    const slotField = o.slot ?? ("slot" in rec ? "slot" : Object.keys(rec).find((f) => f !== o.section));
    const name = String(rec[o.section]);
    let s = sections.get(name);
    if (!s) sections.set(name, (s = { section: name, buckets: [] }));
    s.buckets.push({ index: toIndex(rec[slotField ?? "slot"]), count: toCount(v) });
  }
  const sorted = [...sections.values()].sort((a, b) => a.section.localeCompare(b.section));
  return { ...base, sections: sorted, sectionHeader: o.sectionHeader ?? o.section };
}
