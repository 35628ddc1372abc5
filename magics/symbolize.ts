/**
 * Addresses to names from cells, as BCC's BPF.ksym, BPF.ksymname and BPF.sym
 * do, and one stack id's frames. Process symbol caches are kept for the few
 * processes asked about most recently: a stream of events from one process
 * resolves its stacks without reloading its symbols each time.
 */
import { existsSync } from "node:fs";
import type { BpfMap } from "../native/types.js";
import { readStack, SymbolResolver } from "../native/symbols.js";

export interface SymOptions {
  /** Append " [module]" (BCC's show_module). */
  module?: boolean;
  /** Append "+0x<offset>" (BCC's show_offset). */
  offset?: boolean;
}

const UNKNOWN = "[unknown]";
const KEPT = 16;
const processes = new Map<number, SymbolResolver>();

function processResolver(pid: number): SymbolResolver | undefined {
  let r = processes.get(pid);
  // A pid reused by a new process would otherwise keep the old one's symbols.
  if (r && !existsSync(`/proc/${pid}`)) {
    r.close();
    processes.delete(pid);
    r = undefined;
  }
  if (r) {
    processes.delete(pid);
    processes.set(pid, r);
    return r;
  }
  try {
    r = SymbolResolver.forPid(pid);
  } catch {
    return undefined; // the process has exited
  }
  processes.set(pid, r);
  if (processes.size > KEPT) {
    const [oldest, res] = processes.entries().next().value!;
    res.close();
    processes.delete(oldest);
  }
  return r;
}

function address(addr: bigint | number, what: string): bigint {
  if (typeof addr === "bigint") return BigInt.asUintN(64, addr);
  if (Number.isSafeInteger(addr) && addr >= 0) return BigInt(addr);
  throw new TypeError(`${what}: not an address: ${addr}`);
}

function named(resolver: SymbolResolver | undefined, addr: bigint, opts: SymOptions): string {
  const s = resolver?.resolve(addr);
  const module = (m: string) => (opts.module ? ` [${m.slice(m.lastIndexOf("/") + 1)}]` : "");
  if (!s) {
    const m = opts.module ? resolver?.module(addr) : undefined;
    return m ? `${UNKNOWN}${module(m.module)}` : UNKNOWN;
  }
  return `${s.name}${opts.offset ? `+0x${s.offset.toString(16)}` : ""}${module(s.module)}`;
}

/** BCC's BPF.ksym: the kernel symbol covering addr, "[unknown]" if none. */
export function ksym(addr: bigint | number, opts: SymOptions = {}): string {
  return named(SymbolResolver.kernel(), address(addr, "ksym"), opts);
}

/** BCC's BPF.ksymname: a kernel symbol's address, undefined if there is none. */
export function ksymname(name: string): bigint | undefined {
  if (typeof name !== "string" || !name) throw new TypeError(`ksymname: not a symbol name: ${String(name)}`);
  return SymbolResolver.kernel().address(name);
}

/** BCC's BPF.sym: the symbol covering addr in process pid (a negative pid: the kernel). */
export function sym(addr: bigint | number, pid: number, opts: SymOptions = {}): string {
  if (!Number.isInteger(pid)) throw new TypeError(`sym: not a process id: ${pid}`);
  const a = address(addr, "sym");
  return named(pid < 0 ? SymbolResolver.kernel() : processResolver(pid), a, opts);
}

/** BCC's stack_traces.walk(id): the stack's addresses, innermost first (none for a negative id). */
export function walkStack(map: BpfMap, stackId: number): bigint[] {
  if (!Number.isInteger(stackId)) throw new TypeError(`${map.name}.walk(): not a stack id: ${stackId}`);
  return readStack(map, stackId);
}

/**
 * One stack's frames, innermost first: kernel symbols, or with pid the
 * process's. A negative id (bpf_get_stackid's error, e.g. -EFAULT for a
 * kernel thread's user stack) gives no frames.
 */
export function stackFrames(map: BpfMap, stackId: number, opts: SymOptions & { pid?: number } = {}): string[] {
  const resolver = opts.pid === undefined || opts.pid < 0 ? SymbolResolver.kernel() : processResolver(opts.pid);
  return walkStack(map, stackId).map((a) => (resolver ? named(resolver, a, opts) : `0x${a.toString(16)}`));
}
