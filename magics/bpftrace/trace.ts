/**
 * A running (or finished) bpftrace program as cells see it, bound to NAME:
 * its maps as last printed, the lines it printed, an async iterator over
 * them, and the ways to end it. bpftrace prints its maps when it exits
 * (exit(), SIGINT) and, for a program running in the background, on SIGUSR1
 * (refresh()).
 */
import type { DisplayData } from "../../kernel/plugin.js";
import { ioOr } from "../session.js";
import { declaredMaps, type MapDeclaration } from "./declared.js";
import type { BpftraceRecord } from "./json.js";
import { BpftraceMap } from "./maps.js";
import { BpftraceProcess, type Exit } from "./run.js";
import { ATTACHED_LINE, withAttachedMarker, type Marked } from "./marker.js";

const DISPLAY = Symbol.for("Jupyter.display");

/** Printed lines kept for `lines` and `events()`; older ones are dropped first. */
export const MAX_LINES = 100_000;

/** `@x` is maps.x; the anonymous map `@` is maps["@"]. */
export function mapKey(name: string): string {
  return name === "@" ? "@" : name.replace(/^@/, "");
}

export class BpftraceRun {
  /** The latest dump of every map, by name without the `@` (the anonymous map as "@"). */
  readonly maps: Record<string, BpftraceMap> = {};
  /** Probes bpftrace attached (the user's); undefined until it has. */
  probes?: number;
  /** Whether BEGIN has run, so every probe is attached (known only for a program that got the marker). */
  private begun = false;
  /** The program as run, with the marker that says when tracing has started. */
  readonly marked?: Marked;
  /** Events the kernel dropped before bpftrace read them (bpftrace's lost_events). */
  lostEvents = 0;
  readonly startedAt = Date.now();
  endedAt?: number;
  private kept: string[] = [];
  /** Index (over every line printed) of kept[0]. */
  private firstKept = 0;
  private partial = "";
  private readonly declared: Map<string, MapDeclaration>;
  private readonly waiters = new Set<() => void>();
  private lastMapAt = 0;
  readonly process: BpftraceProcess;
  /** Resolves once bpftrace has exited and everything it printed is read. */
  readonly exited: Promise<Exit>;

  constructor(
    readonly name: string,
    readonly program: string,
    onStderr: (text: string) => void,
  ) {
    this.declared = declaredMaps(program);
    this.marked = withAttachedMarker(program);
    this.process = new BpftraceProcess(this.marked?.text ?? program, (r) => this.take(r), onStderr);
    this.exited = this.process.exited.then((exit) => {
      if (this.partial) this.addLine(this.partial);
      this.partial = "";
      this.endedAt = Date.now();
      this.notify();
      return exit;
    });
  }

  private take(r: BpftraceRecord): void {
    if (r.type === "attached_probes") this.probes = r.probes - (this.marked?.ownProbe ? 1 : 0);
    else if (r.type === "text") {
      const parts = (this.partial + r.text).split("\n");
      this.partial = parts.pop()!;
      for (const l of parts) {
        if (l === ATTACHED_LINE && !this.begun) this.begun = true;
        else this.addLine(l);
      }
    } else if (r.type === "map") {
      this.maps[mapKey(r.name)] = new BpftraceMap(r.name, r.kind, r.value, this.declared.get(r.name));
      this.lastMapAt = Date.now();
    } else if (r.type === "lost_events") this.lostEvents += r.events;
    this.notify();
  }

  private addLine(line: string): void {
    this.kept.push(line);
    if (this.kept.length > MAX_LINES * 1.25) {
      const drop = this.kept.length - MAX_LINES;
      this.kept = this.kept.slice(drop);
      this.firstKept += drop;
    }
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves on the next record or exit, or after `ms`. */
  private changed(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.waiters.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  /**
   * Resolves true once tracing has started (BEGIN has run; without the marker,
   * once bpftrace says it attaches), false if bpftrace exits first.
   */
  async whenAttached(): Promise<boolean> {
    const started = () => (this.marked ? this.begun : this.probes !== undefined);
    while (!started() && this.running) await this.changed(200);
    return started();
  }

  /** Resolves once bpftrace has exited or `ms` passed; whether it has exited. */
  async exitsWithin(ms: number): Promise<boolean> {
    const end = Date.now() + ms;
    while (this.running && Date.now() < end) await this.changed(Math.min(50, end - Date.now()));
    return !this.running;
  }

  /** Lines printed so far (printf, time, ...), the latest 100,000. */
  get lines(): string[] {
    return this.kept.slice();
  }

  /** How many lines were printed in all, including those no longer kept. */
  get lineCount(): number {
    return this.firstKept + this.kept.length;
  }

  /** The latest `n` lines. */
  latest(n: number): string[] {
    return n <= 0 ? [] : this.kept.slice(-n);
  }

  get running(): boolean {
    return this.process.running;
  }

  get exit(): Exit | undefined {
    return this.process.exit;
  }

  /** A map by bpftrace's name ("@x", "x", or "@"). */
  table(name: string): BpftraceMap {
    const m = this.maps[mapKey(name)];
    if (!m) {
      const known = Object.values(this.maps).map((x) => x.name);
      throw new Error(`${this.name} has no map ${name}${known.length ? `; its maps: ${known.join(", ")}` : this.running ? "; maps are read at exit or by refresh()" : ""}`);
    }
    return m;
  }

  /**
   * Every line printed, from the first kept, then each new one until bpftrace
   * exits, the loop breaks, or the running cell is interrupted.
   */
  events(options: { signal?: AbortSignal } = {}): AsyncIterable<string> {
    const signals = [ioOr().signal, ...(options.signal ? [options.signal] : [])];
    let next = this.firstKept;
    return {
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<string, undefined>> => {
          for (;;) {
            if (signals.some((s) => s.aborted)) return { done: true, value: undefined };
            next = Math.max(next, this.firstKept);
            if (next < this.lineCount) return { done: false, value: this.kept[next++ - this.firstKept] };
            if (!this.running) return { done: true, value: undefined };
            await this.changed(200);
          }
        },
        return: async () => ({ done: true, value: undefined }),
      }),
    };
  }

  /**
   * Asks a program running in the background to print its maps (SIGUSR1), as
   * bpftrace does on that signal, and shows them in the running cell (unless
   * `show` is false) once the dump has arrived: when no map has come for
   * 100 ms after the first, or after 2 s. A finished program's maps are those
   * of its exit. Resolves with this program (`.maps` holds them).
   */
  async refresh(options: { show?: boolean } = {}): Promise<this> {
    if (this.running) {
      const asked = Date.now();
      this.process.signal("SIGUSR1");
      const deadline = asked + 2000;
      while (this.running && Date.now() < deadline) {
        if (this.lastMapAt >= asked && Date.now() - this.lastMapAt >= 100) break;
        await this.changed(50);
      }
    }
    if (options.show !== false) await this.show();
    return this;
  }

  /**
   * Ends bpftrace as Ctrl-C does: it prints its maps, which are shown in the
   * running cell (unless `show` is false). Resolves with this program.
   */
  async stop(options: { show?: boolean } = {}): Promise<this> {
    await this.process.stop();
    await this.exited;
    if (options.show !== false) await this.show();
    return this;
  }

  /** Each map as one output of the running cell. */
  async show(): Promise<void> {
    const io = ioOr();
    for (const m of Object.values(this.maps)) await io.display(m);
  }

  /** Ends bpftrace (SIGINT, then SIGKILL after 1 s); idempotent. */
  close(): Promise<Exit> {
    return this.process.stop(1000);
  }

  /** Ends it at once, for shutdown. */
  kill(): void {
    this.process.signal("SIGKILL");
  }

  summary(): string {
    const exit = this.exit;
    const state = !exit
      ? "running"
      : exit.signal && exit.signal !== "SIGINT"
        ? `killed by ${exit.signal}`
        : `exited${exit.code ? ` with status ${exit.code}` : ""}`;
    const secs = (((this.endedAt ?? Date.now()) - this.startedAt) / 1000).toFixed(1);
    const maps = Object.values(this.maps).map((m) => `${m.name} (${m.kind})`);
    return (
      `${this.name}: bpftrace ${state} after ${secs} s, ${this.probes ?? 0} probe${this.probes === 1 ? "" : "s"}; ` +
      `maps: ${maps.length ? maps.join(", ") : "none printed"}; ${this.lineCount} line${this.lineCount === 1 ? "" : "s"} printed` +
      (this.lostEvents ? `; ${this.lostEvents} events lost` : "")
    );
  }

  toString(): string {
    return this.summary();
  }

  [DISPLAY](): DisplayData {
    return { data: { "text/plain": this.summary() } };
  }
}
