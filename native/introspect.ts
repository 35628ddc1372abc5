/**
 * Every BPF program and map loaded on the machine, by whoever loaded it (what
 * BCC's bps and `bpftool prog show` list). Objects come and go while we walk,
 * so one that vanishes between the walk and the read is simply left out.
 */
import { addon } from "./addon.js";

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
  /** Only while kernel.bpf_stats_enabled is 1. */
  runCount?: number;
  runTimeNs?: number;
  recursionMisses: number;
}

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

interface NativeIntrospect {
  listPrograms(): ProgramInfo[];
  program(id: number): ProgramInfo | undefined;
  listMaps(): MapInfo[];
  map(id: number): MapInfo | undefined;
}

const native = (): NativeIntrospect => addon.introspect as NativeIntrospect;

/** Every loaded program, by id. Throws (EPERM) without CAP_SYS_ADMIN. */
export function listPrograms(): ProgramInfo[] {
  return native().listPrograms();
}

/** One program, or undefined when no program has that id. */
export function program(id: number): ProgramInfo | undefined {
  return native().program(id);
}

/** Every map, by id. */
export function listMaps(): MapInfo[] {
  return native().listMaps();
}

/** One map, or undefined when no map has that id. */
export function map(id: number): MapInfo | undefined {
  return native().map(id);
}

/** Average run time per call in ns, when the kernel keeps statistics. */
export function averageRunNs(p: ProgramInfo): number | undefined {
  if (p.runCount === undefined || p.runTimeNs === undefined || p.runCount === 0) return undefined;
  return p.runTimeNs / p.runCount;
}
