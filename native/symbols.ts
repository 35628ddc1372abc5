/**
 * Addresses to symbol names and back, over libbcc's symbol caches, and the
 * reading of BPF_STACK_TRACE maps into symbolized stacks.
 */
import { existsSync } from "node:fs";
import { binding, type SymbolCache } from "./binding.js";
import type { BpfMap } from "./types.js";

export interface ResolvedSymbol {
  name: string;
  /** "kernel" or a kernel module's name for kernel addresses; the ELF file's path for a process. */
  module: string;
  /** Bytes past the symbol's start (for a process miss: past the module's start). */
  offset: bigint;
}

let sharedKernel: SymbolResolver | undefined;

export class SymbolResolver {
  // Stacks repeat the same addresses many times over (a flame graph of thousands of
  // samples has a few hundred distinct frames): each is resolved once.
  private readonly memo = new Map<bigint, ResolvedSymbol | null>();

  private constructor(private readonly cache: SymbolCache) {}

  /** The kernel's symbols (/proc/kallsyms), loaded once and shared until closed. */
  static kernel(): SymbolResolver {
    if (!sharedKernel || sharedKernel.closed) sharedKernel = new SymbolResolver(new binding.SymbolCache(-1));
    return sharedKernel;
  }

  /** One process's symbols: its executable and the libraries it has mapped. */
  static forPid(pid: number): SymbolResolver {
    if (!Number.isInteger(pid) || pid < 0) throw new RangeError(`SymbolResolver.forPid: not a process id: ${pid}`);
    // libbcc makes an empty cache for a process that is gone; say so instead.
    if (!existsSync(`/proc/${pid}`)) throw new Error(`SymbolResolver.forPid: no process ${pid}`);
    return new SymbolResolver(new binding.SymbolCache(pid));
  }

  get pid(): number {
    return this.cache.pid;
  }

  get closed(): boolean {
    return this.cache.closed;
  }

  /** undefined when no symbol covers the address. */
  resolve(addr: bigint, opts: { demangle?: boolean } = {}): ResolvedSymbol | undefined {
    const demangle = opts.demangle ?? true;
    if (demangle) {
      const hit = this.memo.get(addr);
      if (hit !== undefined) return hit ?? undefined;
    }
    const r = this.cache.resolve(addr, demangle);
    const sym = r?.name === undefined ? undefined : (r as ResolvedSymbol);
    if (demangle) this.memo.set(addr, sym ?? null);
    return sym;
  }

  /** The module an address lies in, even where no symbol covers it. */
  module(addr: bigint): { module: string; offset: bigint } | undefined {
    const r = this.cache.resolve(addr, false);
    return r ? { module: r.module, offset: r.offset } : undefined;
  }

  /**
   * A symbol's address. module: the library path as mapped; null searches every
   * module, which only the kernel's resolver can (a process resolver throws).
   */
  address(name: string, module: string | null = null): bigint | undefined {
    return this.cache.resolveName(module, name);
  }

  /** Re-reads the symbols (a process that loaded libraries, a kernel that loaded modules). */
  refresh(): void {
    this.memo.clear();
    this.cache.refresh();
  }

  /** Idempotent. */
  close(): void {
    this.memo.clear();
    this.cache.close();
  }
}

/**
 * One resolver per process, made on first use and kept: symbolizing many stacks
 * of many processes (a flame graph of a whole system) opens each process's
 * symbols once. A process that has gone gets undefined, so its frames stay as
 * addresses.
 */
export class ResolverPool {
  private readonly byPid = new Map<number, SymbolResolver | null>();

  kernel(): SymbolResolver {
    return SymbolResolver.kernel();
  }

  forPid(pid: number): SymbolResolver | undefined {
    let r = this.byPid.get(pid);
    if (r === undefined) {
      try {
        r = SymbolResolver.forPid(pid);
      } catch {
        r = null;
      }
      this.byPid.set(pid, r);
    }
    return r ?? undefined;
  }

  /** Closes every process resolver of the pool (the shared kernel one stays). */
  close(): void {
    for (const r of this.byPid.values()) r?.close();
    this.byPid.clear();
  }
}

/**
 * Where a symbol lives in a binary, as uprobes need it. `binary` is a path or a
 * library name ("c" finds libc); with `pid`, the process's own copy is used.
 */
export function resolveSymbol(binary: string, symbol: string, pid?: number): { module: string; offset: bigint } {
  const r = binding.resolveSymname(binary, symbol, 0n, pid ?? -1);
  if (!r) throw new Error(`resolveSymbol: cannot find symbol "${symbol}" in ${binary}${pid !== undefined ? ` (pid ${pid})` : ""}`);
  return r;
}

/**
 * The instruction pointers of one stack in a BPF_STACK_TRACE map, innermost first.
 * A negative id (bpf_get_stackid's error) or a missing entry gives an empty stack.
 */
export function readStack(map: BpfMap, stackId: number): bigint[] {
  if (stackId < 0) return [];
  if (map.type !== "stack_trace") throw new Error(`readStack: map "${map.name}" is a ${map.type} map, not a stack_trace map`);
  const key = Buffer.alloc(4);
  key.writeUInt32LE(stackId);
  const raw = map.lookup(key);
  if (!raw) return [];
  const ips: bigint[] = [];
  for (let o = 0; o + 8 <= raw.length; o += 8) {
    const ip = raw.readBigUInt64LE(o);
    if (ip === 0n) break;
    ips.push(ip);
  }
  return ips;
}

/** Every stack of a BPF_STACK_TRACE map, by stack id. */
export function readAllStacks(map: BpfMap): Map<number, bigint[]> {
  if (map.type !== "stack_trace") throw new Error(`readAllStacks: map "${map.name}" is a ${map.type} map, not a stack_trace map`);
  const { keys, values, count } = map.readAll();
  const out = new Map<number, bigint[]>();
  const stride = values.length / Math.max(count, 1);
  for (let i = 0; i < count; i++) {
    const ips: bigint[] = [];
    for (let o = i * stride; o + 8 <= (i + 1) * stride; o += 8) {
      const ip = values.readBigUInt64LE(o);
      if (ip === 0n) break;
      ips.push(ip);
    }
    out.set(keys.readInt32LE(i * 4), ips);
  }
  return out;
}

export interface Frame {
  addr: bigint;
  name?: string;
  module?: string;
  offset?: bigint;
  /** "vfs_read+0x15 [kernel]", or the hex address where nothing is known. */
  text: string;
}

/**
 * Resolves every address of a stack; unknown frames keep their address as text,
 * and so does every frame without a resolver (a process that has gone).
 */
export function symbolizeStack(ips: readonly bigint[], resolver: SymbolResolver | undefined): Frame[] {
  return ips.map((addr) => {
    if (!resolver) return { addr, text: `0x${addr.toString(16)}` };
    const s = resolver.resolve(addr);
    if (s) {
      const off = s.offset ? `+0x${s.offset.toString(16)}` : "";
      return { addr, name: s.name, module: s.module, offset: s.offset, text: `${s.name}${off} [${shortModule(s.module)}]` };
    }
    const m = resolver.module(addr);
    const hex = `0x${addr.toString(16)}`;
    return m ? { addr, module: m.module, offset: m.offset, text: `${hex} [${shortModule(m.module)}]` } : { addr, text: hex };
  });
}

function shortModule(m: string): string {
  const slash = m.lastIndexOf("/");
  return slash >= 0 ? m.slice(slash + 1) : m;
}
