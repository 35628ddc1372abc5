/**
 * A loaded %%bpf block or BPF object: its module, its loaded functions and
 * their attachments, typed tables over its maps, event streams, and one
 * idempotent close() that detaches and frees everything it made.
 */
import { constants } from "node:os";
import { BpfError, type Attachment, type Module, type Program as NativeProgram, type ProgType } from "../native/types.js";
import type { Codec } from "../native/codec.js";
import { records } from "../kernel/display/info.js";
import type { ProgramOrigin } from "./program-origin.js";
import type { DisplayData } from "../kernel/plugin.js";
import type { AttachSpec, BlockSpec } from "./spec/types.js";
import { describeAttach, progKind } from "./spec/types.js";
import { EVENT_TYPE_MAP_PREFIX } from "./event-types.js";
import { EventStream, type EventOptions } from "./events.js";
import type { NativeApi } from "./native-api.js";
import { Table } from "./table.js";
import { findCountsTable, readStacks, type Stacks, type StacksOptions } from "./stacks.js";
import { tracePipe, type TracePipeOptions } from "./trace-pipe.js";
import { attachSpecOf, type AttachOptions } from "./attach-options.js";
import { attachError, attachOneHook } from "./attach-hook.js";

export interface AttachedHook {
  fn: string;
  spec: AttachSpec;
  origin: "option" | "convention";
  attachment: Attachment;
}

/** A hook attach() added after load. */
export type AddedHook = Omit<AttachedHook, "origin"> & { origin: "attach()" };

/** One hook attached from TypeScript (prog.attach): detach() undoes it alone. */
export interface HookHandle {
  readonly fn: string;
  /** The hook as the summary names it, e.g. "tracepoint sched:sched_switch". */
  readonly hook: string;
  readonly attached: boolean;
  /**
   * Idempotent; resolves once the kernel has finished detaching (the hook
   * detaches on a background thread; events may arrive until then). The
   * program's close() detaches what is still attached.
   */
  detach(): Promise<void>;
}

export interface MapInfo {
  name: string;
  type: string;
  key: string;
  value: string;
  maxEntries: number;
}

/**
 * A misuse of a program (a function or map it lacks, a closed program), typed
 * like the native layer's errors: the operation and an errno code.
 */
function programError(op: string, code: "ENOENT" | "EINVAL" | "EBADF", message: string): BpfError {
  return new BpfError(message, code, constants.errno[code], op);
}

/** Maps ibcc adds to learn event types: not the user's. */
export const isUserMap = (name: string) => !name.startsWith(EVENT_TYPE_MAP_PREFIX);

export class Program {
  readonly maps: Record<string, Table>;
  readonly createdAt = new Date();
  private tables = new Map<string, Table>();
  private streams = new Set<EventStream>();
  private isClosed = false;
  /** Hooks attached since load by attach(), until detached. */
  private added: AddedHook[] = [];
  /** The loaded functions' tags and when the program was made, for views' metadata. */
  readonly origin: ProgramOrigin;

  constructor(
    readonly name: string,
    readonly spec: BlockSpec,
    readonly module: Module,
    /** The loaded functions: those attached, and those loaded since by loadFunc (tail-call targets). */
    readonly functions: ReadonlyMap<string, NativeProgram>,
    readonly attached: readonly AttachedHook[],
    /** Event types of perf/ring buffer maps, by map name. */
    readonly eventCodecs: ReadonlyMap<string, Codec<unknown>>,
    private readonly api: NativeApi,
    /** What else the program holds open (USDT contexts), closed after the module. */
    private readonly holds: readonly { close(): void }[] = [],
  ) {
    const maps: Record<string, Table> = {};
    for (const m of module.mapNames.filter(isUserMap)) {
      Object.defineProperty(maps, m, { enumerable: true, get: () => this.table(m) });
    }
    this.maps = maps;
    this.origin = { tags: [...functions.values()].map((p) => p.tag), attachedAt: new Date() };
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** The ids of the loaded programs, as bpftool and %bps show them. */
  get ids(): number[] {
    return [...this.functions.values()].map((p) => p.id);
  }

  /**
   * BCC's load_func: loads one function of the block that nothing attaches
   * (a tail-call target), as `type` or as the program type of the block's
   * hooks. The loaded function belongs to the program and closes with it;
   * loading it again returns the same one.
   */
  async loadFunc(name: string, type?: ProgType): Promise<NativeProgram> {
    this.assertOpen("load_func");
    const have = this.functions.get(name);
    if (have) {
      if (type !== undefined && have.type !== type)
        throw programError("load_func", "EINVAL", `${this.name}: ${name}() is already loaded as a ${have.type} program, not ${type}`);
      return have;
    }
    if (!this.module.functions.includes(name)) throw this.noFunction("load_func", name);
    const kinds = [...new Set(this.spec.attach.map(progKind))];
    const t = type ?? (kinds.length === 1 ? (kinds[0] as ProgType) : undefined);
    if (t === undefined)
      throw programError(
        "load_func",
        "EINVAL",
        `${this.name}: say which program type to load ${name}() as, e.g. loadFunc("${name}", "tracepoint"): ` +
          (kinds.length ? `the block's hooks are of several types (${kinds.join(", ")})` : "the block attaches nothing to take it from"),
      );
    const p = await this.module.load(name, t);
    if (this.isClosed) throw programError("load_func", "EBADF", `${this.name} was closed while ${name}() loaded`);
    (this.functions as Map<string, NativeProgram>).set(name, p);
    return p;
  }

  /**
   * Attaches one function of the program to one hook, typed:
   * `await prog.attach({ tracepoint: "sched:sched_switch", fn: "on_switch" })`,
   * `{ uprobe: { binary, symbol }, fn }`, `{ perfEvent: { event: "cpu-clock", freq: 99 }, fn }`.
   * The function is loaded as the hook's program type if it is not yet.
   */
  async attach(options: AttachOptions): Promise<HookHandle> {
    this.assertOpen("attach");
    const spec = attachSpecOf(options);
    if (!this.module.functions.includes(spec.fn)) throw this.noFunction("attach", spec.fn);
    const kind = progKind(spec) as ProgType;
    const have = this.functions.get(spec.fn);
    if (have && have.type !== kind)
      throw programError("attach", "EINVAL", `${this.name}: ${spec.fn}() is loaded as a ${have.type} program; ${describeAttach(spec)} needs a ${kind} program`);
    const p = have ?? (await this.loadFunc(spec.fn, kind));
    this.assertOpen("attach");
    let attachment: Attachment;
    try {
      attachment = attachOneHook(p, spec);
    } catch (e) {
      throw attachError(spec, e);
    }
    const hook: AddedHook = { fn: spec.fn, spec, origin: "attach()", attachment };
    this.added.push(hook);
    const detach = () => {
      this.added = this.added.filter((h) => h !== hook);
      attachment.close();
      return attachment.settled;
    };
    return {
      fn: spec.fn,
      hook: describeAttach(spec),
      get attached() {
        return !attachment.closed;
      },
      detach,
      toString: () => `${spec.fn}() on ${describeAttach(spec)}${attachment.closed ? " (detached)" : ""}`,
    } as HookHandle;
  }

  /** Every hook attached now: the block's and those of attach() not yet detached. */
  get hooks(): readonly (AttachedHook | AddedHook)[] {
    return [...this.attached, ...this.added.filter((h) => !h.attachment.closed)];
  }

  /** A loaded function by name (attached, or loaded with loadFunc). */
  fn(name: string): NativeProgram {
    this.assertOpen("fn");
    const p = this.functions.get(name);
    if (p) return p;
    if (!this.module.functions.includes(name)) throw this.noFunction("fn", name);
    throw programError("fn", "ENOENT", `${this.name}: ${name}() is not loaded: \`await ${this.name}.loadFunc("${name}")\` loads it`);
  }

  table(name: string): Table {
    this.assertOpen("table");
    let t = this.tables.get(name);
    if (!t) {
      if (!this.module.mapNames.includes(name) || !isUserMap(name))
        throw programError("table", "ENOENT", `${this.name} has no map '${name}'; its maps are ${this.userMaps().join(", ") || "(none)"}`);
      t = new Table(this.module.map(name), this.eventCodecs.get(name), this.origin);
      this.tables.set(name, t);
    }
    return t;
  }

  userMaps(): string[] {
    return this.module.mapNames.filter(isUserMap);
  }

  /** Decoded events of a BPF_PERF_OUTPUT or BPF_RINGBUF_OUTPUT map. */
  events<T = unknown>(name = "events", options: EventOptions = {}): EventStream<T> {
    this.assertOpen("events");
    const map = this.module.map(name);
    if (map.type !== "perf_event_array" && map.type !== "ringbuf")
      throw programError("events", "EINVAL", `${this.name}.${name} is a ${map.type} map, not a perf or ring buffer: use .table("${name}")`);
    const codec = this.eventCodecs.get(name);
    if (!codec)
      throw programError(
        "events",
        "EINVAL",
        `cannot tell the type of ${name}'s events: submit a variable of a named struct type ` +
          `(${name}.perf_submit(ctx, &data, sizeof(data)) or ${name}.ringbuf_output(&data, sizeof(data), 0))`,
      );
    const s = new EventStream<T>(map, codec as Codec<T>, this.api, options);
    this.streams.add(s as EventStream);
    return s;
  }

  /**
   * A BPF_STACK_TRACE map's stacks, symbolized (kernel and user), displayed as
   * a flame graph; counted by the map whose key holds the stack ids.
   */
  stacks(name = "stack_traces", options: StacksOptions = {}): Stacks {
    this.assertOpen("stacks");
    const map = this.module.map(name);
    if (map.type !== "stack_trace") throw programError("stacks", "EINVAL", `${this.name}.${name} is a ${map.type} map, not a BPF_STACK_TRACE map`);
    const counts = options.counts
      ? this.table(options.counts)
      : findCountsTable(this.userMaps().filter((m) => m !== name).map((m) => this.module.map(m).type === "stack_trace" ? undefined : this.table(m)).filter((t): t is Table => t !== undefined));
    return readStacks(map, counts, options);
  }

  /** Streams bpf_trace_printk output into the cell until interrupted (or `for` ms). */
  tracePrint(options: TracePipeOptions = {}): Promise<number> {
    return tracePipe(options);
  }

  mapInfo(): MapInfo[] {
    return this.userMaps().map((m) => {
      const map = this.module.map(m);
      let key = "-";
      let value = "-";
      if (map.type === "perf_event_array" || map.type === "ringbuf") {
        value = this.eventCodecs.get(m)?.tsType ?? "(unknown)";
      } else if (map.type !== "stack_trace") {
        const t = this.table(m);
        key = t.keyType;
        value = t.valueType;
      }
      return { name: m, type: map.type, key, value, maxEntries: map.maxEntries };
    });
  }

  /**
   * What the block was made from (header arguments and body): an unchanged
   * re-run with the same text can take this program over (see renew()).
   */
  source?: string;

  /**
   * Whether renew() keeps the promise of a re-run: fresh, empty maps. A ring
   * buffer may still hold records of the old run that no one can discard.
   */
  get renewable(): boolean {
    return !this.isClosed && !this.spec.noAttach && this.module.mapNames.every((m) => this.module.map(m).type !== "ringbuf");
  }

  /**
   * An unchanged block run again: the compiled module, the loaded functions
   * and their attachments pass to a new Program whose maps are emptied, and
   * this one ends (its streams, watches and tables stop) without detaching.
   * Recompiling, reloading and re-attaching the same text would give the same
   * programs at the same hooks, at the cost of a compile.
   */
  renew(): Program {
    this.assertOpen("renew");
    this.isClosed = true;
    for (const s of this.streams) s.close();
    for (const t of this.tables.values()) t.markClosed();
    // A re-run starts from the block's own hooks: those attach() added go.
    for (const h of this.added) h.attachment.close();
    for (const name of this.module.mapNames) {
      const map = this.module.map(name);
      // Event maps hold the readers' perf fds (gone with the streams); the
      // event-type arrays hold nothing but a type.
      if (map.type === "perf_event_array" || name.startsWith(EVENT_TYPE_MAP_PREFIX)) continue;
      map.clear();
    }
    const next = new Program(this.name, this.spec, this.module, this.functions, this.attached, this.eventCodecs, this.api, this.holds);
    next.source = this.source;
    return next;
  }

  /**
   * Resolves once what close() detached has finished detaching in the kernel:
   * close() returns at once and the hooks' perf events close in the
   * background (see native settled()).
   */
  get settled(): Promise<void> {
    return this.module.settled;
  }

  /** Detaches and frees everything; idempotent. The hooks finish detaching in the background (settled). */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const s of this.streams) s.close();
    for (const t of this.tables.values()) t.markClosed();
    for (const a of [...this.attached, ...this.added]) {
      try {
        a.attachment.close();
      } catch {
        // closing the module below frees it regardless
      }
    }
    this.module.close();
    for (const h of this.holds) h.close();
  }

  private assertOpen(op: string): void {
    if (this.isClosed) throw programError(op, "EBADF", `${this.name} is closed (detached); run its %%bpf cell again`);
  }

  private noFunction(op: string, name: string): BpfError {
    return programError(op, "ENOENT", `${this.name} has no function ${name}(); its functions are ${this.module.functions.join(", ") || "(none)"}`);
  }

  summary(): DisplayData {
    const hooks = this.hooks.map((a) => ({
      function: a.fn,
      hook: describeAttach(a.spec),
      by: a.origin === "convention" ? "naming convention" : a.origin,
    }));
    const loaded = [...this.functions.entries()].map(([fn, p]) => ({ function: fn, type: p.type, id: p.id, tag: p.tag }));
    const a = records(hooks.length ? hooks : [], {
      title: `${this.name}: ${hooks.length ? `${hooks.length} attachment${hooks.length > 1 ? "s" : ""}` : "nothing attached"}`,
      empty: this.spec.noAttach ? "(--no-attach: loaded only)" : "(no function to attach)",
    });
    const p = records(loaded, { title: "programs", empty: "(none loaded)" });
    const m = records(this.mapInfo() as unknown as Record<string, unknown>[], { title: "maps", empty: "(no maps)" });
    return {
      data: {
        "text/html": [a, p, m].map((d) => d.data["text/html"]).join("\n"),
        "text/plain": [a, p, m].map((d) => d.data["text/plain"]).join("\n"),
      },
      metadata: {},
    };
  }

  [Symbol.for("Jupyter.display")](): DisplayData {
    return this.summary();
  }

  toString(): string {
    return `Program ${this.name} (${this.closed ? "closed" : `${this.hooks.length} attached`})`;
  }
}
