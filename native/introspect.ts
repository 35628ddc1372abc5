/**
 * Every BPF program and map loaded on the machine, by whoever loaded it (what
 * BCC's bps and `bpftool prog show` list). Objects come and go while we walk,
 * so one that vanishes between the walk and the read is simply left out.
 */
import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import { binding, type LinkInfo, type MapInfo, type ProgramInfo } from "./binding.js";

export type { LinkInfo, MapInfo, ProgramInfo };

const native = () => binding.introspect;

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

/**
 * Every BPF link: attachments that the kernel keeps as objects of their own
 * (raw tracepoints, fentry, XDP and tcx links, ...). Tracepoints, kprobes and
 * uprobes attached through perf events without a link are not among them.
 */
export function listLinks(): LinkInfo[] {
  return native().listLinks();
}

/** Average run time per counted run in ns; undefined before any run was counted. */
export function averageRunNs(p: ProgramInfo): number | undefined {
  if (p.runCount === 0) return undefined;
  return p.runTimeNs / p.runCount;
}

/**
 * Turns BPF run-time statistics on (BPF_ENABLE_STATS): the kernel counts every
 * program's runs and run time while the returned fd is open. It is a reference,
 * added to kernel.bpf_stats_enabled and to other holders, and it ends with the
 * process. Throws BpfError-shaped errors (EPERM without CAP_SYS_ADMIN, EINVAL
 * before Linux 5.8).
 */
export function enableStats(): number {
  return native().enableStats();
}

/** Closes an fd from enableStats(). */
export function disableStats(fd: number): void {
  native().disableStats(fd);
}

/** Whether the kernel counts run_cnt and run_time_ns now, and why. */
export interface StatsState {
  on: boolean;
  /** kernel.bpf_stats_enabled is 1 (the sysctl's own setting: an fd holder does not change it). */
  sysctl: boolean;
  /** Processes holding a BPF_ENABLE_STATS fd (anon_inode:bpf-stats), this one included. */
  holders: Holder[];
}

export function statsState(): StatsState {
  const sysctl = safeRead("/proc/sys/kernel/bpf_stats_enabled")?.trim() === "1";
  const holders: Holder[] = [];
  for (const entry of safeReaddir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    for (const fdName of safeReaddir(`/proc/${pid}/fd`)) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fdName}`);
      } catch {
        continue;
      }
      if (target !== "anon_inode:bpf-stats") continue;
      holders.push({ pid, comm: safeRead(`/proc/${pid}/comm`)?.trim() ?? "", fd: Number(fdName) });
      break;
    }
  }
  return { on: sysctl || holders.length > 0, sysctl, holders };
}

/** A process holding a BPF object open. */
export interface Holder {
  pid: number;
  /** The process's command name (/proc/PID/comm). */
  comm: string;
  fd: number;
}

/**
 * Which processes hold which programs and maps open (through a program, map or
 * link fd), found in /proc/PID/fdinfo like bpftool's "pids" column. Processes
 * that end during the scan are skipped.
 */
export function holders(): { programs: Map<number, Holder[]>; maps: Map<number, Holder[]> } {
  const programs = new Map<number, Holder[]>();
  const maps = new Map<number, Holder[]>();
  const add = (m: Map<number, Holder[]>, id: number, h: Holder) => {
    const list = m.get(id);
    if (list) {
      if (!list.some((x) => x.pid === h.pid)) list.push(h);
    } else m.set(id, [h]);
  };
  for (const entry of safeReaddir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    let comm: string | undefined;
    for (const { fd, program, map } of bpfFds(pid)) {
      comm ??= safeRead(`/proc/${pid}/comm`)?.trim() ?? "";
      const h = { pid, comm, fd };
      if (program !== undefined) add(programs, program, h);
      if (map !== undefined) add(maps, map, h);
    }
  }
  return { programs, maps };
}

/** The ids of the programs and maps one process holds open (this one by default), each once. */
export function heldBy(pid = process.pid): { programs: number[]; maps: number[] } {
  const programs = new Set<number>();
  const maps = new Set<number>();
  for (const { program, map } of bpfFds(pid)) {
    if (program !== undefined) programs.add(program);
    if (map !== undefined) maps.add(map);
  }
  return { programs: [...programs], maps: [...maps] };
}

/** A process's BPF fds and the program or map each names (a link fd names its program). */
function* bpfFds(pid: number): Generator<{ fd: number; program?: number; map?: number }> {
  for (const fdName of safeReaddir(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fdName}`);
    } catch {
      continue;
    }
    if (!target.startsWith("anon_inode:bpf")) continue;
    let info: string;
    try {
      info = readFileSync(`/proc/${pid}/fdinfo/${fdName}`, "utf8");
    } catch {
      continue;
    }
    const prog = /^prog_id:\s*(\d+)/m.exec(info);
    const map = /^map_id:\s*(\d+)/m.exec(info);
    yield { fd: Number(fdName), program: prog ? Number(prog[1]) : undefined, map: map ? Number(map[1]) : undefined };
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function safeRead(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
