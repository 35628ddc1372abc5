/** Ambient types of what a %%bpftrace block binds to NAME, for completion and type checking. */
export const BPFTRACE_DECLARATIONS = `
/** One bpftrace map as last printed (at exit, or by refresh()). */
interface BpftraceMap {
  /** "@x", or "@" for the anonymous map. */
  readonly name: string;
  readonly kind: "hist" | "lhist" | "stats" | "map";
  readonly keyed: boolean;
  readonly size: number;
  /** [key, value]: bpftrace's key text ("sshd", "sshd,1234" for two keys); null without key. */
  entries(): Array<[string | null, any]>;
  /** The value of a map without key, or of one key. */
  get(key?: string): any;
  /** Table rows: the key, then value (stats(): count, average, total). */
  rows(): Array<Record<string, unknown>>;
  /** hist and lhist maps: BCC-style histogram, a section per key of a keyed one. */
  histogram(options?: { title?: string; unit?: string }): BpfHistogram;
  text(): string;
}

/** A %%bpftrace block's program: running, or finished with its maps as printed at exit. */
interface BpftraceRun {
  readonly name: string;
  readonly program: string;
  /** By name without the @ (@x is maps.x; the anonymous map @ is maps["@"]). */
  readonly maps: Record<string, BpftraceMap>;
  readonly probes?: number;
  readonly running: boolean;
  readonly exit?: { code: number | null; signal: string | null };
  /** Lines printed (printf, time, ...), the latest 100,000. */
  readonly lines: string[];
  readonly lineCount: number;
  readonly lostEvents: number;
  latest(n: number): string[];
  /** A map by name: "@x", "x" or "@". */
  table(name: string): BpftraceMap;
  /** Every printed line, then new ones until bpftrace exits (for await). */
  events(options?: { signal?: AbortSignal }): AsyncIterable<string>;
  /** Running in the background: asks bpftrace to print its maps now (SIGUSR1) and shows them. */
  refresh(options?: { show?: boolean }): Promise<BpftraceRun>;
  /** Ends it as Ctrl-C does and shows the maps it printed. */
  stop(options?: { show?: boolean }): Promise<BpftraceRun>;
  /** Each map as one output of the running cell. */
  show(): Promise<void>;
  close(): Promise<{ code: number | null; signal: string | null }>;
  summary(): string;
}
`;
