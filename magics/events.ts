/**
 * Events from a perf or ring buffer map as an async iterator of decoded
 * records: `for await (const ev of prog.events("events")) { ... }`. The
 * reader opens on the first next() and closes on break, on close(), or when
 * the running cell is interrupted, which ends the loop cleanly.
 */
import type { BpfMap, EventCallback, EventReader } from "../native/types.js";
import type { Codec } from "../native/codec.js";
import { eventTable } from "../kernel/display/events.js";
import type { CellIO } from "../kernel/plugin.js";
import type { NativeApi } from "./native-api.js";
import { ioOr } from "./session.js";
import { watch } from "./watch.js";
import { rowsToArrow, type ArrowTable } from "./capture/arrow.js";
import { arrowToCSV } from "./capture/csv.js";

export interface EventOptions {
  /** Perf buffer pages per CPU (power of two, default 64). */
  pageCount?: number;
  /** Ends the stream besides the cell's interrupt. */
  signal?: AbortSignal;
  /** Events held while the loop body is busy; beyond it they count as lost (default 100000). */
  maxQueue?: number;
  /** Stop after this many events. */
  limit?: number;
  /** Stop after this many milliseconds. */
  for?: number;
  io?: CellIO;
}

export class EventStream<T = unknown> implements AsyncIterable<T> {
  private reader?: EventReader;
  // Decoded events not yet taken by next(): queue[head..] (a moving head, as
  // shift() on a long array costs a move of every element after it).
  private queue: T[] = [];
  private head = 0;
  private wake?: () => void;
  private ended = false;
  private dropped = 0;
  private delivered = 0;
  private timer?: NodeJS.Timeout;
  private signals: AbortSignal[] = [];
  private readonly onAbort = () => this.close();

  constructor(
    readonly map: BpfMap,
    readonly codec: Codec<T>,
    private readonly api: NativeApi,
    private readonly options: EventOptions = {},
  ) {}

  /** Events the kernel dropped plus events dropped because the queue was full. */
  get lost(): number {
    return (this.reader?.lost ?? 0) + this.dropped;
  }
  get received(): number {
    return this.reader?.received ?? 0;
  }
  /** false for ring buffers: the kernel counts no ring drops, so `lost` leaves them out. */
  get lostCounted(): boolean {
    return this.reader?.lostCounted ?? this.map.type !== "ringbuf";
  }
  /** Ring buffers: the fullest the ring was at a read (0..1); near 1, the program's submits may have failed. */
  get peakFill(): number | undefined {
    return this.reader?.peakFill;
  }
  get closed(): boolean {
    return this.ended;
  }

  private open(): void {
    if (this.reader || this.ended) return;
    // The cell that starts reading is the one whose interrupt stops it.
    this.signals = [ioOr(this.options.io).signal, ...(this.options.signal ? [this.options.signal] : [])];
    if (this.signals.some((s) => s.aborted)) {
      this.ended = true;
      return;
    }
    const max = this.options.maxQueue ?? 100_000;
    // Each wake-up's events arrive packed in one Buffer and are decoded in one pass.
    const onPacked = (data: Buffer, offsets: Uint32Array) => {
      const n = offsets.length - 1;
      const room = Math.max(0, max - (this.queue.length - this.head));
      if (n <= room) this.push(this.codec.decodePacked(data, offsets));
      else {
        if (room > 0) this.push(this.codec.decodePacked(data, offsets.subarray(0, room + 1)));
        this.dropped += n - room;
      }
      this.wake?.();
    };
    // A replayed stream also asks how much is queued (to keep pace) and says when it has ended.
    const onBatch: EventCallback = Object.assign({ onPacked }, { pending: () => this.queue.length - this.head, onEnd: () => this.close() });
    this.reader =
      this.map.type === "ringbuf"
        ? this.api.openRingBuffer(this.map, onBatch)
        : this.api.openPerfBuffer(this.map, onBatch, { pageCount: this.options.pageCount });
    for (const s of this.signals) s.addEventListener("abort", this.onAbort, { once: true });
    if (this.options.for !== undefined) this.timer = setTimeout(() => this.close(), this.options.for);
  }

  private push(events: T[]): void {
    if (this.head === this.queue.length) {
      this.queue = events;
      this.head = 0;
      return;
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    for (const e of events) this.queue.push(e);
  }

  /** Stops reading; a pending next() resolves as done. Idempotent. */
  close(): void {
    if (this.ended && !this.reader) return;
    this.ended = true;
    clearTimeout(this.timer);
    for (const s of this.signals) s.removeEventListener("abort", this.onAbort);
    this.reader?.close();
    this.wake?.();
  }

  async next(): Promise<IteratorResult<T, undefined>> {
    this.open();
    for (;;) {
      if (this.options.limit !== undefined && this.delivered >= this.options.limit) {
        this.close();
        return { done: true, value: undefined };
      }
      if (this.head < this.queue.length) {
        this.delivered++;
        const value = this.queue[this.head];
        this.queue[this.head++] = undefined as T;  // let it go as soon as it is taken
        if (this.head === this.queue.length) {
          this.queue = [];
          this.head = 0;
        }
        return { done: false, value };
      }
      if (this.ended) return { done: true, value: undefined };
      await new Promise<void>((r) => (this.wake = r));
      this.wake = undefined;
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<T, undefined> {
    return {
      next: () => this.next(),
      return: async () => {
        this.close();
        return { done: true, value: undefined };
      },
    };
  }

  /** Collects every event until the stream ends (limit, for, interrupt). */
  async collect(): Promise<T[]> {
    const out: T[] = [];
    for await (const e of this) out.push(e);
    return out;
  }

  /** Collects the stream (as collect() does) into an Apache Arrow table: one column per field. */
  async toArrow(): Promise<ArrowTable> {
    return rowsToArrow(await this.collect());
  }

  /** Collects the stream into CSV text, the columns of toArrow(). */
  async toCSV(): Promise<string> {
    return arrowToCSV(await this.toArrow());
  }

  /**
   * A live table of the latest events, updated in place every `every` ms
   * until `for` ms pass or the cell is interrupted. Resolves with the count seen.
   */
  async live(options: { every?: number; for?: number; rows?: number; io?: CellIO } = {}): Promise<number> {
    const rows: Record<string, unknown>[] = [];
    const keep = options.rows ?? 20;
    let total = 0;
    const pump = (async () => {
      for await (const e of this) {
        total++;
        rows.push(e !== null && typeof e === "object" ? (e as Record<string, unknown>) : { value: e });
        if (rows.length > keep) rows.shift();
      }
    })();
    const frame = () => eventTable({ events: rows, total, lost: this.lost, dropsUncounted: !this.lostCounted, peakFill: this.peakFill }, { limit: keep, title: this.map.name });
    const stop = new AbortController();
    void pump.finally(() => stop.abort());
    await watch(frame, { every: options.every ?? 500, for: options.for, io: options.io, signal: stop.signal });
    this.close();
    await pump;
    return total;
  }
}
