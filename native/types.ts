/**
 * The typed surface of the libbcc binding: what compile() gives back, and the
 * errors every operation throws. The classes that implement these interfaces
 * live beside this file (module.ts, program.ts, map.ts, events.ts); callers
 * should depend on these types only. native/index.ts re-exports all of it.
 *
 * Ownership: a Module owns its Programs, BpfMaps and EventReaders; a Program
 * owns its Attachments. Every handle has one idempotent close(); closing an
 * owner closes everything it owns. Handles JS drops are closed by a finalizer,
 * and everything still open is closed when the Node environment tears down.
 */

/** One clang diagnostic, parsed from what libbcc prints while compiling. */
export interface Diagnostic {
  /** "main.c" for the program text itself, else the header's path. */
  file: string;
  line: number;
  column: number;
  severity: "error" | "warning" | "note" | "fatal";
  message: string;
}

export interface CompileOptions {
  /** Extra clang flags, e.g. ["-DMAX=10"]. */
  cflags?: string[];
  /** libbcc's debug flags (DEBUG_LLVM_IR = 1, DEBUG_BPF = 2, DEBUG_PREPROCESSOR = 4, DEBUG_SOURCE = 8, ...). */
  debug?: number;
}

/**
 * BPF program types by libbpf's names for them (enum bpf_prog_type without
 * the BPF_PROG_TYPE_ prefix, lower case).
 */
export type ProgType =
  | "socket_filter"
  | "kprobe"
  | "sched_cls"
  | "sched_act"
  | "tracepoint"
  | "xdp"
  | "perf_event"
  | "cgroup_skb"
  | "cgroup_sock"
  | "lwt_in"
  | "lwt_out"
  | "lwt_xmit"
  | "sock_ops"
  | "sk_skb"
  | "cgroup_device"
  | "sk_msg"
  | "raw_tracepoint"
  | "cgroup_sock_addr"
  | "lwt_seg6local"
  | "lirc_mode2"
  | "sk_reuseport"
  | "flow_dissector"
  | "cgroup_sysctl"
  | "raw_tracepoint_writable"
  | "cgroup_sockopt"
  | "tracing"
  | "struct_ops"
  | "ext"
  | "lsm"
  | "sk_lookup"
  | "syscall";

export interface LoadOptions {
  /** Verifier log level for the first attempt (default 0: a log is fetched only on failure). */
  logLevel?: number;
  /**
   * enum bpf_attach_type by libbpf's name without BPF_, lower case:
   * "trace_fentry", "trace_fexit", "lsm_mac", "xdp", "tcx_ingress", ... Needed
   * for tracing and lsm programs; for those it defaults from the function name
   * (kfunc__ / kretfunc__ / lsm__ prefixes, as BCC names them).
   */
  expectedAttachType?: string;
  /**
   * The kernel function (fentry/fexit) or LSM hook the program attaches to.
   * libbcc derives it from the function name (kfunc__NAME, kretfunc__NAME,
   * lsm__NAME) and offers no way to set it apart from the name, so this only
   * checks that the name ends in "__" + attachBtfName (BpfError EINVAL if not).
   */
  attachBtfName?: string;
}

/** What closes in the background: modules, programs and attachments. */
export interface Detachable {
  /**
   * Resolves once this object's detaching (and every close asked for before
   * it) has finished in the kernel. close() returns at once; a tracepoint,
   * raw tracepoint, kprobe, uprobe or perf event detaches on a background
   * thread (~50 ms of the kernel's time each, several at once). Await it
   * before counting what is loaded or attached.
   */
  readonly settled: Promise<void>;
}

/** A compiled BCC program text: its functions and maps, not yet loaded. */
export interface Module extends Detachable {
  /** Function names in section order, as bpf_function_name gives them. */
  readonly functions: string[];
  readonly mapNames: string[];
  /** Warnings and notes of the (successful) compile. */
  readonly diagnostics: Diagnostic[];
  /** clang's whole output for the compile. */
  readonly log: string;
  readonly license: string;
  readonly kernVersion: number;
  readonly closed: boolean;
  /**
   * Loads one function. Runs off the JS thread; rejects with VerifierError when
   * the verifier wrote a log, else BpfError (op "load", with libbcc's message and,
   * for fentry/LSM programs a kernel refuses, a hint).
   */
  load(fn: string, type: ProgType, opts?: LoadOptions): Promise<Program>;
  /** The map by name; the same object on every call. Throws BpfError (op "map", code ENOENT) for an unknown name. */
  map(name: string): BpfMap;
  /** Idempotent; closes every attachment, reader, program and map made from this module. */
  close(): void;
}

export interface KprobeOptions {
  ret?: boolean;
  /** Offset into the function. */
  offset?: number;
  /** kretprobe maxactive (0: the kernel's default). */
  maxActive?: number;
}

export interface UprobeOptions {
  ret?: boolean;
  /** Only this process (default -1: every process running the binary). */
  pid?: number;
  /** File offset of a USDT semaphore the kernel raises while the probe is attached (0: none). */
  refCtrOffset?: number;
}

export interface PerfEventOptions {
  /** perf_event_attr.type: PERF_TYPE_HARDWARE = 0, PERF_TYPE_SOFTWARE = 1, ... */
  type: number;
  /** perf_event_attr.config: e.g. PERF_COUNT_SW_CPU_CLOCK = 0. */
  config: number;
  /** Exactly one of samplePeriod and sampleFreq. */
  samplePeriod?: number;
  sampleFreq?: number;
  /** Default -1: every process. */
  pid?: number;
  /** Default: one event on every online CPU. */
  cpu?: number;
}

/** A loaded BPF program. */
export interface Program extends Detachable {
  readonly name: string;
  readonly type: ProgType;
  readonly fd: number;
  /** From bpf_obj_get_info_by_fd. */
  readonly id: number;
  /** Hex string of the program tag, 16 characters. */
  readonly tag: string;
  readonly closed: boolean;
  readonly attachments: readonly Attachment[];
  attachTracepoint(category: string, event: string): Attachment;
  attachRawTracepoint(event: string): Attachment;
  /** On a kernel without CONFIG_KPROBES: BpfError (code EOPNOTSUPP) saying so and naming what to use instead. */
  attachKprobe(fn: string, opts?: KprobeOptions): Attachment;
  /** target: a symbol (resolved with bcc_resolve_symname) or an address in the binary. */
  attachUprobe(binary: string, target: string | number, opts?: UprobeOptions): Attachment;
  attachPerfEvent(opts: PerfEventOptions): Attachment;
  /** A raw packet socket bound to the interface with the program as its filter. */
  attachSocketFilter(ifname: string): Attachment;
  /** A BPF link (BPF_LINK_CREATE, attach type BPF_XDP): it goes away with the process. */
  attachXdp(ifname: string, opts?: { mode?: "skb" | "drv" | "hw" }): Attachment;
  /** A tcx BPF link (kernel 6.6+); on older kernels a BpfError that says so. */
  attachTc(ifname: string, direction: "ingress" | "egress"): Attachment;
  /** fentry/fexit/LSM: raw_tracepoint_open for tracing programs, link_create for lsm. */
  attachTracing(): Attachment;
  /** Idempotent; closes its attachments and the program fd. */
  close(): void;
}

/** One attachment of a program to a hook; closing it detaches. */
export interface Attachment extends Detachable {
  /** "tracepoint", "raw_tracepoint", "kprobe", "kretprobe", "uprobe", "uretprobe", "perf_event", "socket_filter", "xdp", "tc", "tracing". */
  readonly kind: string;
  /** Human-readable: "syscalls:sys_enter_getppid", "eth0 ingress", "/bin/true:main", ... */
  readonly target: string;
  /** The fds that hold it (a perf event per CPU, a link, a socket). */
  readonly fds: number[];
  readonly closed: boolean;
  close(): void;
}

/** Options for reading a perf event array. */
export interface PerfBufferOptions {
  /** Pages per CPU buffer, a power of two (default 64). */
  pageCount?: number;
  /**
   * Wake the reader after this many events per CPU buffer (default 64): one
   * wake-up per event slows a busy traced program several times over.
   */
  wakeupEvents?: number;
  /**
   * With wakeupEvents > 1, also read every this many ms (default 100), so
   * events below the threshold are not held back; 0 turns it off.
   */
  flushMs?: number;
}

/** Events from one perf or ring buffer map, read through the Node event loop. */
export interface EventReader {
  /**
   * Events the kernel reported dropped. Perf buffers count every drop; ring
   * buffers count none (a full ring makes the program's submit fail and
   * nothing records it), so for them this stays 0: see lostCounted, peakFill.
   */
  readonly lost: number;
  /** false for ring buffers, whose drops the kernel does not count. */
  readonly lostCounted: boolean;
  /**
   * Ring buffers: the fullest the ring was (0..1, producer minus consumer
   * position over its size) when a read began; near 1, submits may have
   * failed unseen. undefined for perf buffers and before the first read.
   */
  readonly peakFill: number | undefined;
  readonly received: number;
  readonly closed: boolean;
  close(): void;
}

/**
 * Called once per wake-up with every event that was ready, each a Buffer that
 * views one copy made for the whole wake-up (keep or modify them freely: the
 * copy is theirs). Copies are carved from pooled 64 KiB ArrayBuffers, as Node
 * pools small Buffers, so a Buffer's `.buffer` holds other wake-ups' bytes too
 * (use byteOffset), and a kept event keeps its pool alive. It runs from the
 * event loop like any I/O callback: an exception it throws is an uncaught
 * exception of the process, so callers catch their own.
 */
export type BatchCallback = (events: Buffer[], lost: number) => void;

/**
 * The cheaper form of BatchCallback: no object per event. Every event of a
 * wake-up is in `data`; event i is bytes offsets[i] to offsets[i + 1], so there
 * are offsets.length - 1 events (`decodePacked` decodes them all). Same rules
 * for exceptions as BatchCallback.
 */
export type PackedCallback = (data: Buffer, offsets: Uint32Array, lost: number) => void;

/** What an event reader calls on each wake-up: a BatchCallback, or `{ onPacked }`. */
export type EventCallback = BatchCallback | { onPacked: PackedCallback };

/** A BPF map of a Module. */
export interface BpfMap {
  readonly name: string;
  readonly fd: number;
  /** libbpf's name of enum bpf_map_type without the prefix, lower case: "hash", "percpu_array", "ringbuf", ... */
  readonly type: string;
  readonly typeId: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly perCpu: boolean;
  /** Possible CPUs (per-CPU values hold this many slots). */
  readonly possibleCpus: number;
  /** JSON.parse of bpf_table_key_desc (BCC's type description); undefined when libbcc gives none. */
  readonly keyDesc: unknown;
  readonly valueDesc: unknown;
  /**
   * For a perf or ring buffer map: the fields of the struct libbcc saw passed
   * to perf_submit / ringbuf_output, one "name#type" string each
   * (`compileEventCodec` reads them); empty when it saw none or for other maps.
   */
  readonly eventFields: string[];
  /** Per-CPU maps: possibleCpus * round8(valueSize) bytes. */
  lookup(key: Buffer): Buffer | undefined;
  /** flags: BPF_ANY = 0, BPF_NOEXIST = 1, BPF_EXIST = 2. */
  update(key: Buffer, value: Buffer, flags?: number): void;
  /** false when the key was not there. */
  delete(key: Buffer): boolean;
  /** The first key without an argument; undefined after the last. */
  nextKey(key?: Buffer): Buffer | undefined;
  /** All keys, contiguous (count = length / keySize). */
  keys(): Buffer;
  /**
   * Every entry: keys and values each contiguous, in the same order. Uses
   * BPF_MAP_LOOKUP_BATCH where the map type allows, else get_next_key + lookup.
   * Per-CPU values are possibleCpus * round8(valueSize) bytes each.
   */
  readAll(): { keys: Buffer; values: Buffer; count: number };
  /** Batch delete for hashes; zero-fill for arrays. */
  clear(): void;
  /**
   * Every entry, read and deleted: BPF_MAP_LOOKUP_AND_DELETE_BATCH where the map
   * has it (hashes), else BPF_MAP_LOOKUP_AND_DELETE_ELEM key by key; atomic is
   * false when neither served and each key was looked up then deleted, or for
   * arrays, read then zeroed (an update between the two steps is lost).
   */
  takeAll(): { keys: Buffer; values: Buffer; count: number; atomic: boolean };
  /** Queue and stack maps: push a value (flags 2, BPF_EXIST: push out the oldest when full). */
  push(value: Buffer, flags?: number): void;
  /** Queue and stack maps: the next value, removed (undefined when empty). */
  pop(): Buffer | undefined;
  /** Queue and stack maps: the next value, left in place (undefined when empty). */
  peek(): Buffer | undefined;
}

/** A compile that failed: clang's diagnostics, parsed, and its whole output. */
export class CompileError extends Error {
  override name = "CompileError";
  constructor(
    message: string,
    readonly diagnostics: Diagnostic[],
    readonly log: string,
  ) {
    super(message);
  }
}

/** A failed kernel or libbcc operation: which one, and the errno. */
export class BpfError extends Error {
  override name = "BpfError";
  constructor(
    message: string,
    /** "ENOENT", "EPERM", ...; "EUNKNOWN" when no errno applies. */
    readonly code: string,
    readonly errno: number,
    /** The operation: "attach_tracepoint", "map_update", "load", ... */
    readonly op: string,
  ) {
    super(message);
  }
}

/**
 * The verifier rejected a program: a failed load (op "load") whose log is the
 * whole verifier log.
 */
export class VerifierError extends BpfError {
  override name = "VerifierError";
  constructor(
    message: string,
    readonly functionName: string,
    readonly log: string,
    errno: number,
    code: string,
  ) {
    super(message, code, errno, "load");
  }
}
