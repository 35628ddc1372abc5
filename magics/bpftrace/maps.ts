/**
 * One bpftrace map as last printed: count/sum/avg/min/max/stats by key read
 * as a table, hist/lhist as BCC-style histograms (a keyed one as sections).
 * A snapshot: the values are those of the latest dump (at exit, or on
 * refresh() of a program running in the background).
 */
import { histogram as histogramBundle, histogramText, type HistogramData } from "../../kernel/display/histogram.js";
import { table as tableBundle, type TableOptions } from "../../kernel/display/table-bundle.js";
import type { DisplayData } from "../../kernel/plugin.js";
import { Histogram } from "../histogram.js";
import type { MapDeclaration } from "./declared.js";
import { histBuckets, looksLog2, type HistBuckets } from "./hist.js";
import type { HistBucket, Json } from "./json.js";

export const DISPLAY = Symbol.for("Jupyter.display");

export type MapKind = "hist" | "lhist" | "stats" | "map";

const isRecord = (v: Json): v is { [key: string]: Json } => v !== null && typeof v === "object" && !Array.isArray(v);
const STATS_FIELDS = ["count", "average", "total"];
const isStats = (v: Json): boolean => isRecord(v) && Object.keys(v).length === 3 && STATS_FIELDS.every((f) => f in v);

export class BpftraceMap {
  readonly kind: MapKind;

  constructor(
    /** As bpftrace names it: "@x", or "@" for the anonymous map. */
    readonly name: string,
    printedAs: "map" | "hist" | "stats",
    /** The value as printed: a scalar or bucket list, or an object by key for a keyed map. */
    readonly raw: Json,
    private readonly declared?: MapDeclaration,
  ) {
    this.kind = printedAs === "hist" ? (this.histKind() === "linear" ? "lhist" : "hist") : printedAs;
  }

  /** Whether the map has keys (`@x[comm]`) rather than one value. */
  get keyed(): boolean {
    if (this.declared) return this.declared.key !== undefined;
    if (this.kind === "hist" || this.kind === "lhist") return isRecord(this.raw);
    if (this.kind === "stats") return isRecord(this.raw) && !isStats(this.raw);
    return isRecord(this.raw);
  }

  private histKind(): "log2" | "linear" {
    if (this.declared?.fn === "lhist") return "linear";
    if (this.declared?.fn === "hist") return "log2";
    const lists = Array.isArray(this.raw) ? [this.raw] : isRecord(this.raw) ? Object.values(this.raw) : [];
    return lists.every((l) => looksLog2((l ?? []) as unknown as HistBucket[])) ? "log2" : "linear";
  }

  /** [key, value] pairs: bpftrace's key text ("sshd", "sshd,1234" for two keys); null for a map without key. */
  entries(): Array<[string | null, Json]> {
    if (!this.keyed) return [[null, this.raw]];
    return Object.entries(this.raw as { [key: string]: Json });
  }

  /** The value of a map without key, or of one key. */
  get(key?: string): Json | undefined {
    if (key === undefined) return this.keyed ? undefined : this.raw;
    return this.keyed ? (this.raw as { [key: string]: Json })[key] : undefined;
  }

  get size(): number {
    return this.keyed ? Object.keys(this.raw as object).length : 1;
  }

  /** The buckets of a hist/lhist map, per key for a keyed one. */
  private bucketSets(): Array<[string | null, HistBuckets]> {
    if (this.kind !== "hist" && this.kind !== "lhist") throw new TypeError(`${this.name} is a ${this.kind} map, not a hist or lhist`);
    const kind = this.kind === "hist" ? "log2" : "linear";
    return this.entries().map(([k, v]) => [k, histBuckets((v ?? []) as unknown as HistBucket[], kind)]);
  }

  /** The histogram of a hist/lhist map; a keyed one has a section per key. */
  histogram(options: { title?: string; unit?: string } = {}): Histogram {
    const sets = this.bucketSets();
    const first = sets[0]?.[1];
    const kind = this.kind === "hist" ? "log2" : "linear";
    const base = { kind, unit: options.unit, linearStep: first?.linearStep } as const;
    const data: HistogramData = this.keyed
      ? {
          ...base,
          sections: sets.map(([k, b]) => ({ section: k ?? "", buckets: b.buckets })),
          sectionHeader: this.declared?.key ?? "key",
        }
      : { ...base, buckets: first?.buckets ?? [] };
    return new Histogram(data, { title: options.title ?? this.name });
  }

  /** Counts BCC's layout has no row for: hist's negative values, lhist's values outside [min, max). */
  outside(): { below: bigint; above: bigint } {
    let below = 0n;
    let above = 0n;
    for (const [, b] of this.bucketSets()) {
      below += b.below;
      above += b.above;
    }
    return { below, above };
  }

  /** Table rows: key, then value (stats() as count, average, total). */
  rows(): Array<Record<string, unknown>> {
    return this.entries().map(([k, v]) => {
      const row: Record<string, unknown> = k === null ? {} : { [this.declared?.key ?? "key"]: k };
      if (isStats(v)) Object.assign(row, v);
      else row.value = v;
      return row;
    });
  }

  text(): string {
    if (this.kind === "hist" || this.kind === "lhist") return this.histogram().text() + this.outsideNote();
    return JSON.stringify(this.raw, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  }

  private outsideNote(): string {
    const { below, above } = this.outside();
    const parts: string[] = [];
    if (below) parts.push(`${below} ${this.kind === "hist" ? "negative" : "below the lhist's min"}`);
    if (above) parts.push(`${above} at or above the lhist's max`);
    return parts.length ? `(not in the buckets above: ${parts.join(", ")})\n` : "";
  }

  toString(): string {
    return this.text();
  }

  async [DISPLAY](): Promise<DisplayData> {
    if (this.kind === "hist" || this.kind === "lhist") {
      const h = this.histogram();
      const shown = await histogramBundle(h.data, { title: this.name });
      const note = this.outsideNote();
      if (note) shown.data["text/plain"] = histogramText(h.data) + note;
      return shown;
    }
    const options: TableOptions = { title: this.name, ...(this.kind === "stats" ? { sortBy: this.entries().some(([, v]) => isStats(v)) ? "count" : "value" } : {}) };
    return tableBundle(this.rows(), options);
  }
}
