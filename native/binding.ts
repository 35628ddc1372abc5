/**
 * The addon's raw surface, typed. Handles are numbers the addon hands out for
 * every object it opens; release(handle) closes one. Only this package's own
 * files use it: callers see the classes built over it.
 */
import { addon } from "./addon.js";

export interface Attached {
  handle: number;
  fds: number[];
}

/** One place in a binary where a USDT probe fires, and the BPF function enabled for it. */
export interface UsdtLocation {
  fn: string;
  provider: string;
  probe: string;
  /** The file the probe is in (for a pid, as seen through /proc/PID/root). */
  path: string;
  /** The probe's address as its ELF note gives it. */
  address: number;
  /** File offset of the probe's semaphore; 0 when it has none. */
  semaphoreOffset: number;
  /** The process the probe is enabled in; -1 for every process running the binary. */
  pid: number;
}

export interface TableInfo {
  name: string;
  fd: number;
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  keyDesc: string | null;
  valueDesc: string | null;
}

export interface ModuleInfo {
  functions: string[];
  tables: TableInfo[];
  license: string | null;
  kernVersion: number;
}

export interface LoadResult {
  handle?: number;
  fd?: number;
  id?: number;
  tag?: string;
  errno: number;
  code: string;
  strerror: string;
  log: string;
  stderr: string;
}

/** One wake-up: every event in data, event i at offsets[i] .. offsets[i + 1]. */
/**
 * Called per wake-up: the events' bytes at dataAt..dataAt+length of a pooled
 * slab, count+1 offsets (relative to dataAt) at offsetsAt; fill is for ring
 * buffers only, the fullest the ring was at a read since the last call.
 */
/** glibc's malloc heap, all arenas (mallinfo2), in bytes. */
export interface HeapInfo {
  /** Allocated and not yet freed, mmapped blocks included. */
  inUse: number;
  /** Freed but kept by malloc for reuse; returnFreedMemory() gives back what it can. */
  free: number;
  /** Of inUse, the large blocks malloc mapped on their own. */
  mmapped: number;
  /** Taken from the system for the arenas (in use and free, mmapped blocks apart). */
  arenaBytes: number;
}

export type Batch = (slab: ArrayBuffer, dataAt: number, length: number, offsetsAt: number, count: number, lost: number, fill?: number) => void;

export interface Binding {
  libbccVersion: string;
  progTypeNames: string[];
  mapTypeNames: string[];
  attachTypeNames: (string | undefined)[];
  possibleCpus: number;
  release(handle: number): boolean;
  openHandles(): number;
  /** True once every close handed to the closer threads before the call has run (false after 10 s). */
  settleCloses(): Promise<boolean>;
  pendingCloses(): number;
  compile(text: string, cflags: string[], debug: number): Promise<{ handle: number | null; log: string; errno?: number }>;
  warmUp(): Promise<void>;
  heapInfo(): HeapInfo;
  returnFreedMemory(): Promise<void>;
  moduleInfo(handle: number): ModuleInfo;
  load(module: number, name: string, progType: number, logLevel: number, attachType: number): Promise<LoadResult>;
  attachTracepoint(progFd: number, category: string, event: string): Attached;
  attachRawTracepoint(progFd: number, event: string): Attached;
  attachKprobe(progFd: number, ret: boolean, evName: string, fn: string, offset: number, maxActive: number): Attached;
  resolveSymbol(binary: string, symbol: string | null, address: number, pid: number): { path: string; offset: number };
  attachUprobe(progFd: number, ret: boolean, evName: string, path: string, offset: number, pid: number, refCtrOffset?: number): Attached;
  openUsdt(targets: { binary?: string; pid?: number; provider?: string; probe: string; fn: string }[]): Promise<{ handle: number; text: string; locations: UsdtLocation[] }>;
  attachPerfEvent(progFd: number, type: number, config: number, period: number, freq: number, pid: number, cpus: number[]): Attached;
  attachSocketFilter(progFd: number, ifname: string): Attached;
  attachXdp(progFd: number, ifname: string, flags: number): Attached;
  attachTcx(progFd: number, ifname: string, attachType: number): Attached;
  attachTracing(progFd: number): Attached;
  mapLookup(fd: number, key: Buffer, valueLen: number): Buffer | undefined;
  mapUpdate(fd: number, key: Buffer, value: Buffer, flags: number): void;
  mapDelete(fd: number, key: Buffer): boolean;
  mapNextKey(fd: number, key: Buffer | null, keySize: number): Buffer | undefined;
  mapKeys(fd: number, keySize: number): Buffer;
  mapReadAll(fd: number, keySize: number, valueLen: number, maxEntries: number, batch: boolean): { keys: Buffer; values: Buffer; count: number; batched: boolean };
  mapClear(fd: number, keySize: number, valueLen: number, maxEntries: number, zero: boolean, batch: boolean): void;
  mapTakeAll(fd: number, keySize: number, valueLen: number, maxEntries: number, batch: boolean): { keys: Buffer; values: Buffer; count: number; batched: boolean; atomic: boolean };
  mapPush(fd: number, value: Buffer, flags: number): void;
  mapPop(fd: number, valueLen: number): Buffer | undefined;
  mapPeek(fd: number, valueLen: number): Buffer | undefined;
  openPerfBuffer(mapFd: number, cpus: number[], pageCount: number, wakeupEvents: number, cb: Batch, flushMs: number): Attached;
  openRingBuffer(mapFd: number, cb: Batch): Attached;
  /** The field names of the struct a module's perf or ring buffer map submits, as libbcc saw them. */
  perfEventFields(module: number, map: string): string[];
  /** Where a symbol lives in a binary (a path or a library name); undefined when it is not found. */
  resolveSymname(binary: string, symbol: string, address: bigint, pid: number): { module: string; offset: bigint } | undefined;
  SymbolCache: new (pid: number) => SymbolCache;
  probe: Probe;
  introspect: Introspect;
}

/** libbcc's symbol cache of the kernel (pid -1) or of one process (native/symbols.ts). */
export interface SymbolCache {
  readonly pid: number;
  readonly closed: boolean;
  resolve(addr: bigint, demangle?: boolean): { name?: string; module: string; offset: bigint } | undefined;
  resolveName(module: string | null, name: string): bigint | undefined;
  refresh(): void;
  close(): void;
}

/** What one feature probe found (native/features.ts). */
export interface ProbeOutcome {
  supported: boolean;
  stage?: string;
  errno?: number;
  code?: string;
  message?: string;
  log?: string;
}

/** Tiny loads and attaches that tell what this kernel supports (native/features.ts). */
export interface Probe {
  progType(name: string): ProbeOutcome;
  mapType(name: string): ProbeOutcome;
  btfIds(names: string[]): number[];
  btfTarget(kind: "fentry" | "fexit" | "lsm", btfId: number): ProbeOutcome;
  batchOps(): ProbeOutcome;
  memlock(): { soft: number; hard: number };
}

/** One loaded program, as BPF_OBJ_GET_INFO_BY_FD (and its BTF) tell it. */
export interface ProgramInfo {
  id: number;
  /** libbpf's name of the program type: "tracepoint", "kprobe", "xdp", ... */
  type: string;
  typeId: number;
  /** The function's whole name (from BTF where the kernel cut it to 15 characters). */
  name: string;
  /** The name as the kernel keeps it (at most 15 characters). */
  kernelName: string;
  /** 16 hex digits. */
  tag: string;
  mapIds: number[];
  loadTime: Date;
  uid: number;
  gplCompatible: boolean;
  jitedSize: number;
  xlatedSize: number;
  /** Bytes charged to memlock; -1 when the kernel does not say. */
  memlock: number;
  btfId: number;
  verifiedInsns: number;
  /**
   * Runs and their total time, counted by the kernel only while BPF statistics
   * are on (see statsState()); they stand still, and are usually 0, otherwise.
   */
  runCount: number;
  runTimeNs: number;
  recursionMisses: number;
}

/** One map, as BPF_OBJ_GET_INFO_BY_FD tells it. */
export interface MapInfo {
  id: number;
  /** libbpf's name of the map type: "hash", "percpu_array", "ringbuf", ... */
  type: string;
  typeId: number;
  name: string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  memlock: number;
  btfId: number;
}

/** One BPF link, as BPF_OBJ_GET_INFO_BY_FD tells it. */
export interface LinkInfo {
  id: number;
  /** libbpf's name of the link type: "raw_tracepoint", "tracing", "xdp", "tcx", "perf_event", ... */
  type: string;
  typeId: number;
  progId: number;
  /** What it is attached to, where the kernel says: a raw tracepoint's name, an interface's name. */
  target?: string;
  /** tracing and cgroup links: libbpf's name of the attach type ("trace_fentry", "cgroup_inet_ingress", ...). */
  attachType?: string;
  targetBtfId?: number;
  cgroupId?: number;
  netnsIno?: number;
  /** xdp, tcx and netkit links. */
  ifindex?: number;
  /** tcx: "ingress" or "egress"; netkit: "primary" or "peer". */
  direction?: string;
}

/** BPF_OBJ_GET_INFO_BY_FD over every program, map and link on the machine (native/introspect.ts). */
export interface Introspect {
  enableStats(): number;
  disableStats(fd: number): void;
  listLinks(): LinkInfo[];
  listPrograms(): ProgramInfo[];
  program(id: number): ProgramInfo | undefined;
  listMaps(): MapInfo[];
  map(id: number): MapInfo | undefined;
}

export const binding = addon as Binding;
