/**
 * Ambient declarations of the BPF side's globals and the types a %%bpf
 * program is bound with (type-text.ts writes `BpfProgram<{...maps}, {...events}>`),
 * for completion, inspection and type checking in TypeScript cells.
 */
export const DECLARATIONS = `
/** Options of a histogram drawn from a BPF_HISTOGRAM-style map. */
interface BpfHistogramOptions {
  /** "log2" (bpf_log2l slots, the default) or "linear". */
  kind?: "log2" | "linear";
  /** A struct key's field naming the section, as BCC's print_log2_hist section_header. */
  section?: string;
  /** The slot field of a struct key (default "slot"). */
  slot?: string;
  sectionHeader?: string;
  /** The value's unit ("usecs", "bytes"). */
  unit?: string;
  linearStep?: number;
  title?: string;
  logScale?: boolean;
  stripLeadingZero?: boolean;
}

/** A histogram read once from a map; displays as a chart, text is BCC's star bars. */
interface BpfHistogram {
  readonly total: bigint;
  /** BCC's print_log2_hist / print_linear_hist text. */
  text(): string;
}

interface BpfWatchOptions {
  /** Milliseconds between updates (default 1000). */
  every?: number;
  /** Total milliseconds (default: until the cell is interrupted). */
  for?: number;
  /** "table" (default), "histogram", "heatmap" (a log2 histogram's counts per interval) or "line" (a metric over time). */
  view?: "table" | "histogram" | "heatmap" | "line";
  /** For view "line": "rate" (default: what the values added per second), "total", or a histogram's percentile such as "p99". */
  metric?: string;
  histogram?: BpfHistogramOptions;
  /** Views "table" and "histogram": each frame shows only what came since the last (read and cleared in one step). */
  clear?: boolean;
  table?: { top?: number; sortBy?: string; ascending?: boolean; columns?: string[]; title?: string };
}

/** A typed BPF map. 64-bit integers are bigint; char arrays are strings; structs are objects. */
interface BpfTable<K = unknown, V = unknown> {
  readonly name: string;
  /** "hash", "array", "percpu_array", ... */
  readonly type: string;
  readonly maxEntries: number;
  /** The number of entries. */
  readonly size: number;
  get(key: K): V | undefined;
  set(key: K, value: V): void;
  delete(key: K): boolean;
  clear(): void;
  /** Every entry, read in batches. */
  entries(): [K, V][];
  /**
   * Every entry, read and removed in one step (BCC's items_lookup_and_delete_batch): no count is read
   * twice; an increment in flight at that instant may be lost. Arrays are read, then zeroed (what comes between is lost).
   */
  entriesAndClear(): [K, V][];
  /** BCC's name for entriesAndClear(). */
  itemsLookupAndDeleteBatch(): [K, V][];
  /** BPF_QUEUE / BPF_STACK: adds a value; \`evict\` pushes out the oldest when full. */
  push(value: V, options?: { evict?: boolean }): void;
  /** BPF_QUEUE / BPF_STACK: the next value (oldest for a queue, newest for a stack), removed; undefined when empty. */
  pop(): V | undefined;
  /** BPF_QUEUE / BPF_STACK: the next value, left in place. */
  peek(): V | undefined;
  /** BPF_STACK_TRACE: one stack's addresses, innermost first (BCC's stack_traces.walk(id)). */
  walk(stackId: number): bigint[];
  /**
   * BPF_STACK_TRACE: one stack's frames, innermost first, e.g. from an event's stack id:
   * \`stack_traces.frames(ev.kernel_stack_id)\`, \`stack_traces.frames(ev.user_stack_id, { pid: ev.pid })\`.
   */
  frames(stackId: number, options?: { pid?: number; module?: boolean; offset?: boolean }): string[];
  /**
   * Every entry as columns for analysis code: typed arrays that view the batched read's
   * memory (BigUint64Array for u64 keys and values, and so on). Per-CPU maps add
   * cpuValues, entry-major (entry i, CPU c at i * cpus + c).
   */
  entriesColumnar(): { count: number; keys: unknown; values: unknown; cpuValues?: unknown; cpus?: number };
  keys(): K[];
  values(): V[];
  [Symbol.iterator](): Iterator<[K, V]>;
  histogram(options?: BpfHistogramOptions): BpfHistogram;
  /** The table view with top N and sort order. */
  view(options?: { top?: number; sortBy?: string; ascending?: boolean; columns?: string[]; title?: string }): unknown;
  /** One output updated in place every \`every\` ms until \`for\` ms pass or the cell is interrupted; resolves with frames drawn. */
  watch(options?: BpfWatchOptions): Promise<number>;
}

/** One loaded function of a program: an attached one, or a tail-call target loaded with loadFunc. */
interface BpfFunction {
  readonly name: string;
  /** The program type it was loaded as ("tracepoint", "raw_tracepoint", "xdp", ...). */
  readonly type: string;
  readonly fd: number;
  readonly id: number;
  readonly tag: string;
  readonly closed: boolean;
}

/** A BPF_PROG_ARRAY: \`jmp.set(2, await prog.loadFunc("do_two"))\` is BCC's \`jmp[c_int(2)] = c_int(fn.fd)\`; get gives the program id. */
interface BpfProgArray extends BpfTable<number, number> {
  set(index: number, fn: BpfFunction | number): void;
}

interface BpfEventOptions {
  pageCount?: number;
  signal?: AbortSignal;
  maxQueue?: number;
  /** Stop after this many events. */
  limit?: number;
  /** Stop after this many milliseconds. */
  for?: number;
}

/** Decoded events of a perf or ring buffer map: \`for await (const ev of prog.events("events"))\`. Ends on break or interrupt. */
interface BpfEventStream<T> extends AsyncIterable<T> {
  /** Events dropped by the kernel or because the loop fell behind. */
  readonly lost: number;
  /** false for ring buffers: the kernel does not count ring buffer drops, so lost leaves them out. */
  readonly lostCounted: boolean;
  /** A ring buffer's highest fill seen at a read, 0..1 (undefined for perf buffers). */
  readonly peakFill: number | undefined;
  readonly received: number;
  readonly closed: boolean;
  close(): void;
  /** Every event until the stream ends (limit, for, interrupt). */
  collect(): Promise<T[]>;
  /** A live table of the latest events; resolves with the count seen. */
  live(options?: { every?: number; for?: number; rows?: number }): Promise<number>;
}

/** Symbolized stack samples of a BPF_STACK_TRACE map; displays as a flame graph. */
interface BpfStacks {
  /** Frames root first, with how often the stack was seen. */
  readonly samples: { stack: string[]; count: number | bigint }[];
  /** flamegraph.pl's folded format: \`a;b;c count\` per line. */
  folded(): string;
}

/** A hook for prog.attach() and BPF.load's attach: one hook key and the function to attach. */
type BpfAttachOptions = { fn: string } & (
  | { tracepoint: string }
  | { rawTracepoint: string }
  | { kprobe: string; ret?: boolean }
  | { uprobe: { binary: string; symbol: string | number; pid?: number }; ret?: boolean }
  | {
      perfEvent: {
        /** "cpu-clock", "task-clock", "page-faults", "context-switches", "cpu-migrations", "cycles", "instructions", "cache-misses", "branch-misses", ... or { type, config }. */
        event: string | { type: number; config: number };
        freq?: number;
        period?: number;
        pid?: number;
        cpu?: number;
      };
    }
  | { xdp: string }
  | { tc: { iface: string; direction?: "ingress" | "egress" } }
  | { socket: string }
);

/** One hook attached by prog.attach(). */
interface BpfHookHandle {
  readonly fn: string;
  /** As the program's summary names it, e.g. "tracepoint sched:sched_switch". */
  readonly hook: string;
  readonly attached: boolean;
  /** Idempotent; resolves once the kernel has finished detaching (events may arrive until then). close() detaches whatever is still attached. */
  detach(): Promise<void>;
}

/** A loaded BPF program: a %%bpf block's NAME or what BPF.load returns. */
interface BpfProgram<M = Record<string, BpfTable>, E = Record<string, unknown>> {
  readonly name: string;
  readonly closed: boolean;
  /** The loaded programs' ids (as %bps and bpftool show them). */
  readonly ids: number[];
  /** The maps by name, typed from the C declarations. */
  readonly maps: M;
  table<N extends keyof M & string>(name: N): M[N];
  table(name: string): BpfTable;
  events<N extends keyof E & string>(name: N, options?: BpfEventOptions): BpfEventStream<E[N]>;
  events<T = unknown>(name?: string, options?: BpfEventOptions): BpfEventStream<T>;
  /**
   * A BPF_STACK_TRACE map's stacks, symbolized (kernel and user), counted by the
   * map whose key holds kernel_stack_id / user_stack_id (or \`counts\`).
   */
  stacks(name?: string, options?: { counts?: string; title?: string }): BpfStacks;
  /**
   * BCC's load_func: loads a function nothing attaches (a tail-call target) as \`type\`, by default the
   * program type of the block's hooks. It belongs to the program and closes with it.
   */
  loadFunc(name: string, type?: string): Promise<BpfFunction>;
  /** A loaded function by name (attached, or loaded with loadFunc). */
  fn(name: string): BpfFunction;
  /**
   * Attaches one function to one hook: \`await prog.attach({ tracepoint: "sched:sched_switch", fn: "on_switch" })\`,
   * \`{ uprobe: { binary, symbol }, fn }\`, \`{ perfEvent: { event: "cpu-clock", freq: 99 }, fn }\`. The function is
   * loaded as the hook's program type if it is not yet; the handle's detach() undoes this one hook.
   */
  attach(options: BpfAttachOptions): Promise<BpfHookHandle>;
  /** Streams bpf_trace_printk output into the cell; resolves with the line count. */
  tracePrint(options?: { for?: number }): Promise<number>;
  /** Detaches and frees everything; idempotent. */
  close(): void;
}

interface BpfLoadOptions {
  /** BCC C text. */
  text: string;
  cflags?: string[];
  /** false: load only; typed hooks (as prog.attach takes them); or a string of %%bpf header options ("--uprobe /bin/x:main=f"). */
  attach?: boolean | string | BpfAttachOptions[];
  /** Replaces the earlier program of this name, as re-running %%bpf NAME does. */
  name?: string;
}

/** BPF programs from TypeScript text: \`const p = await BPF.load({ text: "..." })\`. */
declare const BPF: {
  load(options: BpfLoadOptions | string): Promise<BpfProgram>;
  /** BCC's BPF.ksym: the kernel symbol covering addr, "[unknown]" if none; module/offset append " [module]" and "+0x..". */
  ksym(addr: bigint | number, options?: { module?: boolean; offset?: boolean }): string;
  /** BCC's BPF.ksymname: a kernel symbol's address, undefined if none. */
  ksymname(name: string): bigint | undefined;
  /** BCC's BPF.sym: the symbol covering addr in process pid (pid < 0: the kernel), "[unknown]" if none. */
  sym(addr: bigint | number, pid: number, options?: { module?: boolean; offset?: boolean }): string;
};
`;
