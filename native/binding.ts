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
}

export const binding = addon as Binding;
