/**
 * A BPF map as cells use it: the native typed view (native/typed-map.ts, which
 * decodes keys and values with the codecs of BCC's type descriptions) with
 * what the notebook adds. Displays itself as a table; histogram() and watch()
 * give the chart and the live view; program arrays and maps of maps take a
 * loaded function or a table; stack maps walk and symbolize their stacks.
 */
import type { BpfMap } from "../native/types.js";
import type { Codec } from "../native/codec.js";
import { TypedMap, type ColumnarEntries } from "../native/typed-map.js";
import { table as tableBundle, type TableOptions } from "../kernel/display/table-bundle.js";
import { viewSource } from "./view-source.js";
import type { ProgramOrigin } from "./program-origin.js";
import { heatMapView, lineView } from "./watch-views.js";
import type { CellIO, DisplayData } from "../kernel/plugin.js";
import { Histogram, histogramFromEntries, type HistogramOptions } from "./histogram.js";
import { watch, type WatchOptions } from "./watch.js";
import { stackFrames, walkStack, type SymOptions } from "./symbolize.js";
import { FrozenMap } from "./capture/frozen-map.js";
import { columnarToArrow, type ArrowTable } from "./capture/arrow.js";
import { arrowToCSV } from "./capture/csv.js";

/** Map types whose entries are not key/value data a Table can read. */
const NOT_TABULAR = new Set(["perf_event_array", "ringbuf", "stack_trace"]);

/** Maps of maps take a table (its map's fd) of the same program; reading one gives the inner map's id. */
function innerMapFd(map: BpfMap, value: unknown): number {
  const inner = value instanceof Table ? value.map : value;
  const fd = typeof inner === "number" ? inner : (inner as { fd?: unknown } | null)?.fd;
  if (typeof fd !== "number" || !Number.isInteger(fd) || fd < 0)
    throw new TypeError(`${map.name} is a map of maps: set it to a table (prog.maps.inner)`);
  if (value instanceof Table && value.closed) throw new Error(`${map.name}: the table ${value.name} is closed`);
  return fd;
}

const MAP_OF_MAPS = new Set(["hash_of_maps", "array_of_maps"]);
const QUEUES = new Set(["queue", "stack"]);

/** Program arrays take a loaded function (its fd); reading one gives the program's id. */
function progFd(map: BpfMap, value: unknown): number {
  const fd = typeof value === "number" ? value : (value as { fd?: unknown } | null)?.fd;
  if (typeof fd !== "number" || !Number.isInteger(fd) || fd < 0)
    throw new TypeError(`${map.name} is a BPF_PROG_ARRAY: set it to a loaded function (prog.fn("name") or await prog.loadFunc("name"))`);
  if ((value as { closed?: boolean }).closed) throw new Error(`${map.name}: that function's program is closed`);
  return fd;
}

export class Table<K = unknown, V = unknown> {
  /** The decoded view every read and write goes through. */
  private readonly typed: TypedMap<K, V>;
  private detached = false;

  constructor(
    readonly map: BpfMap,
    /** The codec of one value, when the map's own description is not the one to use. */
    valueCodec?: Codec<unknown>,
    /** The program that made the map, for the views' metadata. */
    readonly origin?: ProgramOrigin,
  ) {
    // Event and stack maps hold no values a table reads: their view only names the types.
    this.typed = new TypedMap<K, V>(map, { value: NOT_TABULAR.has(map.type) ? undefined : valueCodec });
  }

  get key(): Codec<K> {
    return this.typed.key;
  }
  /** For per-CPU maps, one CPU's value. */
  get value(): Codec<V> {
    return this.typed.value as Codec<V>;
  }

  get name(): string {
    return this.map.name;
  }
  get type(): string {
    return this.map.type;
  }
  get maxEntries(): number {
    return this.map.maxEntries;
  }
  /** TypeScript type text of keys and values. */
  get keyType(): string {
    return this.key.tsType;
  }
  get valueType(): string {
    return this.map.perCpu ? `Array<${this.value.tsType}>` : this.value.tsType;
  }

  /** Called when the program that owns the map is closed. */
  markClosed(): void {
    this.detached = true;
  }

  get closed(): boolean {
    return this.detached;
  }

  private check(): void {
    if (this.detached) throw new Error(`${this.name}: its program was closed (detached); run its %%bpf cell again`);
    if (NOT_TABULAR.has(this.map.type))
      throw new TypeError(`${this.name} is a ${this.map.type} map: ${this.map.type === "stack_trace" ? "use .stacks()" : "use .events()"} instead of a table`);
  }

  get(key: K): V | undefined {
    this.check();
    return this.typed.get(key);
  }

  /**
   * Per-CPU maps take one value (copied to every CPU) or one per CPU. Program
   * arrays take a loaded function, maps of maps a table: what goes in is its fd.
   */
  set(key: K, value: V | V[]): void {
    this.check();
    const v = this.map.type === "prog_array" ? progFd(this.map, value) : MAP_OF_MAPS.has(this.map.type) ? innerMapFd(this.map, value) : value;
    this.typed.set(key, v as V);
  }

  delete(key: K): boolean {
    this.check();
    return this.typed.delete(key);
  }

  clear(): void {
    this.check();
    this.typed.clear();
  }

  /**
   * Every entry, read in batches. Array maps list every slot. Plain integer
   * or float keys and values come as rows made on first touch (a million
   * BigInt pairs would cost several times the read; native/lazy-rows.ts),
   * other types decoded in one pass.
   */
  entries(): [K, V][] {
    this.check();
    return this.typed.entries();
  }

  /**
   * Every entry, read and removed in one step: BCC's items_lookup_and_delete_batch().
   * Hashes use BPF_MAP_LOOKUP_AND_DELETE_BATCH (else lookup-and-delete key by key):
   * each entry is copied and unlinked in one step, so no count is read twice and
   * none added by a map update is lost between a read and a clear. An increment
   * a program is making through a pointer it looked up just before is not under
   * the kernel's lock and can still be lost (a few in 10^5 under load). Arrays
   * cannot delete slots: they are read, then zeroed; what comes between is lost.
   */
  entriesAndClear(): [K, V][] {
    this.check();
    return this.typed.entriesAndClear();
  }

  /** BCC's name for entriesAndClear(). */
  itemsLookupAndDeleteBatch(): [K, V][] {
    return this.entriesAndClear();
  }

  /** Queue and stack maps (BPF_QUEUE, BPF_STACK): adds a value; `evict` pushes out the oldest when full. */
  push(value: V, options: { evict?: boolean } = {}): void {
    this.checkQueue("push");
    this.typed.push(value, options.evict ? 2 : 0);
  }

  /** Queue and stack maps: the next value (first in for a queue, last in for a stack), removed; undefined when empty. */
  pop(): V | undefined {
    this.checkQueue("pop");
    return this.typed.pop();
  }

  /** Queue and stack maps: the next value, left in place; undefined when empty. */
  peek(): V | undefined {
    this.checkQueue("peek");
    return this.typed.peek();
  }

  /** BPF_STACK_TRACE maps: one stack's addresses, innermost first (BCC's stack_traces.walk(id)). */
  walk(stackId: number): bigint[] {
    this.checkStacks("walk");
    return walkStack(this.map, stackId);
  }

  /**
   * BPF_STACK_TRACE maps: one stack's frames, innermost first, from a stack id
   * an event or a key carries: kernel symbols, or a user stack's with `pid`.
   */
  frames(stackId: number, options: SymOptions & { pid?: number } = {}): string[] {
    this.checkStacks("frames");
    return stackFrames(this.map, stackId, options);
  }

  private checkStacks(op: string): void {
    if (this.detached) throw new Error(`${this.name}: its program was closed (detached); run its %%bpf cell again`);
    if (this.map.type !== "stack_trace") throw new TypeError(`${this.name}.${op}(): ${this.name} is a map of type ${this.map.type}; ${op}() is for BPF_STACK_TRACE maps`);
  }

  private checkQueue(op: string): void {
    this.check();
    if (!QUEUES.has(this.map.type)) throw new TypeError(`${this.name}.${op}(): ${this.name} is a map of type ${this.map.type}; push, pop and peek are for BPF_QUEUE and BPF_STACK maps`);
  }

  /**
   * Every entry as columns: typed arrays for integer and float keys and values
   * (BigUint64Array for u64), viewing the batched read's own memory; per-CPU
   * maps add every CPU's value entry-major (cpuValues[i * cpus + c]).
   */
  entriesColumnar(): ColumnarEntries {
    this.check();
    return this.typed.entriesColumnar();
  }

  /** The map as it is now, held in memory: a Table of its own whose reads all see this moment (and a captured read). */
  snapshot(): Table<K, V> {
    this.check();
    const read = this.map.readAll();
    return new Table<K, V>(new FrozenMap(this.map, () => read), this.value as Codec<unknown>, this.origin);
  }

  /** Every entry as an Apache Arrow table: key and value columns (struct fields as key.f / value.f; per-CPU values summed). */
  toArrow(): ArrowTable {
    return columnarToArrow(this.entriesColumnar());
  }

  /** Every entry as CSV text, the columns of toArrow(). */
  toCSV(): string {
    return arrowToCSV(this.toArrow());
  }

  keys(): K[] {
    return this.entries().map((e) => e[0]);
  }

  values(): V[] {
    return this.entries().map((e) => e[1]);
  }

  [Symbol.iterator](): Iterator<[K, V]> {
    return this.entries()[Symbol.iterator]();
  }

  /** The number of entries (for arrays: max_entries). */
  get size(): number {
    this.check();
    return this.typed.size;
  }

  histogram(options: HistogramOptions = {}, entries: [K, V][] = this.entries()): Histogram {
    return new Histogram(histogramFromEntries(entries as [unknown, unknown][], options), options, viewSource(this.origin));
  }

  /** The table view with options (top N, sort column). */
  view(options: TableOptions = {}): { [k: symbol]: () => DisplayData } {
    return { [Symbol.for("Jupyter.display")]: () => this.render(options) };
  }

  private render(options: TableOptions = {}, entries?: [K, V][]): DisplayData {
    this.check();
    if (QUEUES.has(this.map.type) && !entries)
      return tableBundle([], { title: options.title ?? `${this.name} (${this.map.type}: push, pop, peek)`, source: viewSource(this.origin), ...options });
    const rows = (entries ?? this.entries()).map(([k, v]) => [k, Array.isArray(v) && this.map.perCpu ? sumPerCpu(v) : v] as const);
    return tableBundle(rows, { title: options.title ?? `${this.name} (${this.map.type})`, source: viewSource(this.origin), ...options });
  }

  /**
   * Keeps one output updating in place every `every` ms for `for` ms, or until
   * the cell is interrupted: `await table.watch({ every: 1000, for: 10000 })`.
   * `view: "histogram"` draws the histogram instead of the table.
   */
  watch(
    options: WatchOptions & {
      view?: "table" | "histogram" | "heatmap" | "line";
      histogram?: HistogramOptions;
      table?: TableOptions;
      /** For view "line": "rate" (default), "total", or a percentile of a histogram map such as "p99". */
      metric?: string;
      /** Views "table" and "histogram": each frame shows what came since the last, read and cleared in one step (entriesAndClear). */
      clear?: boolean;
      io?: CellIO;
    } = {},
  ): Promise<number> {
    if (options.clear && (options.view ?? "table") !== "table" && options.view !== "histogram")
      throw new TypeError(`${this.name}.watch(): clear is for the table and histogram views; "${options.view}" shows changes between frames itself`);
    // Frames read the map when drawn, so a closed program ends the watch.
    const source = () => viewSource(this.origin);
    const buckets = () => histogramFromEntries(this.entries() as [unknown, unknown][], { ...options.histogram, section: undefined }).buckets ?? [];
    let frame: () => unknown;
    if (options.view === "histogram") frame = () => this.histogram(options.histogram, options.clear ? this.entriesAndClear() : undefined);
    else if (options.view === "heatmap") {
      const draw = heatMapView(buckets, { title: options.histogram?.title ?? this.name, unit: options.histogram?.unit, source });
      frame = () => drawn(draw());
    } else if (options.view === "line") {
      const metric = options.metric ?? "rate";
      const read = () => {
        const b = /^p\d/.test(metric) ? buckets() : undefined;
        const total = b ? b.reduce((s, x) => s + BigInt(x.count), 0n) : this.sumValues();
        return { total, buckets: b };
      };
      const draw = lineView(read, metric, { title: options.histogram?.title ?? this.name, unit: options.histogram?.unit, source });
      frame = () => drawn(draw());
    } else frame = () => this.render(options.table, options.clear ? this.entriesAndClear() : undefined);
    return watch(frame, options);
  }

  /** The sum of every integer value (per-CPU values summed): what a counter map holds in all. */
  private sumValues(): bigint {
    let total = 0n;
    for (const [, v] of this.entries()) {
      const one = Array.isArray(v) ? sumPerCpu(v) : v;
      if (typeof one === "bigint") total += one;
      else if (typeof one === "number") total += BigInt(Math.trunc(one));
    }
    return total;
  }

  [Symbol.for("Jupyter.display")](): DisplayData {
    return this.render();
  }
}

/** A frame read now (its map diff taken once), rendered when displayed. */
function drawn(bundle: Promise<DisplayData>): unknown {
  bundle.catch(() => {});
  return { [Symbol.for("Jupyter.display")]: () => bundle };
}

function sumPerCpu(v: unknown[]): unknown {
  if (v.every((x) => typeof x === "bigint")) return (v as bigint[]).reduce((a, b) => a + b, 0n);
  if (v.every((x) => typeof x === "number")) return (v as number[]).reduce((a, b) => a + b, 0);
  return v;
}
