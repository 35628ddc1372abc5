/**
 * The plain description of a `%%bpf` block: what its header and C text ask
 * for, before anything is compiled or attached. Deterministic and testable
 * without a kernel; the live Program is made from it in bpf-cell.ts.
 */

/** Program types a block's functions are loaded as. */
export type ProgKind =
  | "tracepoint"
  | "raw_tracepoint"
  | "kprobe"
  | "perf_event"
  | "xdp"
  | "sched_cls"
  | "socket_filter"
  | "tracing"
  | "lsm";

export type AttachSpec =
  | { hook: "tracepoint"; fn: string; category: string; event: string }
  | { hook: "raw_tracepoint"; fn: string; event: string }
  | { hook: "kprobe"; fn: string; symbol: string; ret: boolean }
  | { hook: "uprobe"; fn: string; binary: string; symbol: string; ret: boolean; pid?: number }
  /** A USDT probe of a binary (every process running it) or of one process (pid). */
  | { hook: "usdt"; fn: string; binary?: string; pid?: number; provider?: string; probe: string }
  | {
      hook: "perf_event";
      fn: string;
      event: string;
      type: number;
      config: number;
      sampleFreq?: number;
      samplePeriod?: number;
      /** One process on every CPU (default every process). */
      pid?: number;
      /** One CPU (default every online CPU). */
      cpu?: number;
    }
  | { hook: "xdp"; fn: string; iface: string; mode?: XdpMode }
  | { hook: "tc"; fn: string; iface: string; direction: "ingress" | "egress" }
  | { hook: "socket_filter"; fn: string; iface: string }
  | { hook: "kfunc"; fn: string; target: string; ret: boolean }
  | { hook: "lsm"; fn: string; target: string };

export type Hook = AttachSpec["hook"];

/**
 * Where an XDP program runs: "skb" generic mode (after the kernel built the
 * socket buffer; any device), "drv" the driver's native hook, "hw" offloaded
 * to the NIC. Unset, the kernel picks drv when the driver has it, else skb.
 */
export type XdpMode = "skb" | "drv" | "hw";
export const XDP_MODES: readonly XdpMode[] = ["skb", "drv", "hw"];

/** Where an attachment came from: a header option or a naming convention. */
export type AttachOrigin = "option" | "convention";

/** A function the C text defines by one of BCC's naming conventions, and where it is. */
export interface FunctionSite {
  attach: AttachSpec;
  /** 1-based line in the block's body where the definition starts. */
  line: number;
  /** Offset in the body of the '{' that opens the function's body. */
  brace: number;
}

export interface BlockSpec {
  /** The TypeScript variable the program is bound to. */
  name: string;
  cflags: string[];
  /** --no-attach: compile and load only. */
  noAttach: boolean;
  attach: (AttachSpec & { origin: AttachOrigin })[];
  /** The C text as the user wrote it. */
  body: string;
  /** Cell line of the %%bpf header; 0 for text given to BPF.load. */
  headerLine: number;
  /**
   * The body with comments and string literals blanked, every offset and line
   * kept: what the later checks (event types, BTF forms, USDT reads, padding)
   * search, so that the text is tokenized once.
   */
  code: string;
  /** The functions the text defines by naming convention, in source order (the preprocessor not applied). */
  functions: FunctionSite[];
}

/** The program type a hook's function must be loaded as. */
export function progKind(a: AttachSpec): ProgKind {
  switch (a.hook) {
    case "tracepoint":
      return "tracepoint";
    case "raw_tracepoint":
      return "raw_tracepoint";
    case "kprobe":
    case "uprobe":
    case "usdt":
      return "kprobe";
    case "perf_event":
      return "perf_event";
    case "xdp":
      return "xdp";
    case "tc":
      return "sched_cls";
    case "socket_filter":
      return "socket_filter";
    case "kfunc":
      return "tracing";
    case "lsm":
      return "lsm";
  }
}

/** One line naming an attachment, as the summary and errors show it. */
export function describeAttach(a: AttachSpec): string {
  switch (a.hook) {
    case "tracepoint":
      return `tracepoint ${a.category}:${a.event}`;
    case "raw_tracepoint":
      return `raw tracepoint ${a.event}`;
    case "kprobe":
      return `${a.ret ? "kretprobe" : "kprobe"} ${a.symbol}`;
    case "uprobe":
      return `${a.ret ? "uretprobe" : "uprobe"} ${a.binary}:${a.symbol}${a.pid !== undefined ? ` pid ${a.pid}` : ""}`;
    case "usdt":
      return `usdt ${a.pid !== undefined ? `pid ${a.pid}` : a.binary}:${a.provider ? `${a.provider}:` : ""}${a.probe}`;
    case "perf_event":
      return `perf event ${a.event} ${a.sampleFreq !== undefined ? `@${a.sampleFreq} Hz` : `every ${a.samplePeriod}`}` +
        (a.pid !== undefined ? ` pid ${a.pid}` : "") + (a.cpu !== undefined ? ` cpu ${a.cpu}` : "");
    case "xdp":
      return `xdp ${a.iface}${a.mode ? ` (${a.mode} mode)` : ""}`;
    case "tc":
      return `tc ${a.iface} ${a.direction}`;
    case "socket_filter":
      return `socket filter ${a.iface}`;
    case "kfunc":
      return `${a.ret ? "fexit" : "fentry"} ${a.target}`;
    case "lsm":
      return `lsm ${a.target}`;
  }
}
