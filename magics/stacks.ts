/**
 * Stack-trace maps read as symbolized samples, displayed as a flame graph.
 * BCC's profile/offcputime pattern is understood: a counts map keyed by a
 * struct with kernel_stack_id / user_stack_id (and pid, name) fields, next to
 * the BPF_STACK_TRACE map those ids point into. Without a counts map, every
 * stack in the map counts once.
 */
import type { BpfMap } from "../native/types.js";
import { readStack, symbolizeStack, SymbolResolver } from "../native/symbols.js";
import { flameGraph, foldedStacks, type StackSample } from "../kernel/display/flamegraph.js";
import type { DisplayData } from "../kernel/plugin.js";
import type { Table } from "./table.js";

export interface StacksOptions {
  /** The counts map (default: the program's map whose key has a *stack_id field). */
  counts?: string;
  title?: string;
}

const KERNEL_ID = ["kernel_stack_id", "kern_stack_id", "kernel_stack", "kstack_id", "kstack"];
const USER_ID = ["user_stack_id", "user_stack", "ustack_id", "ustack"];
const PID = ["tgid", "pid"];
const NAME = ["name", "comm", "task"];

const pick = (rec: Record<string, unknown>, names: string[]) => names.find((n) => n in rec);

export class Stacks {
  constructor(
    readonly samples: StackSample[],
    readonly title = "stacks",
  ) {}

  /** flamegraph.pl's folded format: `a;b;c count` per line. */
  folded(): string {
    return foldedStacks(this.samples);
  }

  toString(): string {
    return this.folded();
  }

  [Symbol.for("Jupyter.display")](): Promise<DisplayData> {
    return flameGraph(this.samples, { title: this.title });
  }
}

function frames(map: BpfMap, id: number, resolver: SymbolResolver | undefined): string[] {
  if (id < 0 || !resolver) return [];
  // readStack gives the innermost frame first; a flame graph wants the root first.
  return symbolizeStack(readStack(map, id), resolver)
    .map((f) => f.name ?? f.text)
    .reverse();
}

export function readStacks(stackMap: BpfMap, counts: Table | undefined, options: StacksOptions = {}): Stacks {
  const kernel = SymbolResolver.kernel();
  const perPid = new Map<number, SymbolResolver | undefined>();
  const userResolver = (pid: number | undefined): SymbolResolver | undefined => {
    if (pid === undefined || pid <= 0) return undefined;
    if (!perPid.has(pid)) {
      try {
        perPid.set(pid, SymbolResolver.forPid(pid));
      } catch {
        perPid.set(pid, undefined); // the process has exited
      }
    }
    return perPid.get(pid);
  };
  const samples: StackSample[] = [];
  try {
    if (counts) {
      for (const [key, value] of counts.entries()) {
        const rec = (key ?? {}) as Record<string, unknown>;
        const k = pick(rec, KERNEL_ID);
        const u = pick(rec, USER_ID);
        const p = pick(rec, PID);
        const n = pick(rec, NAME);
        const pid = p !== undefined ? Number(rec[p]) : undefined;
        const stack = [
          ...(n !== undefined ? [String(rec[n])] : []),
          ...(u !== undefined ? frames(stackMap, Number(rec[u]), userResolver(pid)) : []),
          ...(k !== undefined ? frames(stackMap, Number(rec[k]), kernel) : []),
        ];
        const count = Array.isArray(value) ? value.reduce((s: bigint, x) => s + BigInt(x as bigint), 0n) : (value as bigint | number);
        samples.push({ stack, count });
      }
    } else {
      const keys = stackMap.keys();
      for (let o = 0; o + 4 <= keys.length; o += 4) {
        const id = keys.readUInt32LE(o);
        samples.push({ stack: frames(stackMap, id, kernel), count: 1 });
      }
    }
  } finally {
    for (const r of perPid.values()) r?.close();
  }
  return new Stacks(samples, options.title ?? stackMap.name);
}

/** The counts map of a stack map: a table whose key struct names a stack id field. */
export function findCountsTable(tables: Table[]): Table | undefined {
  for (const t of tables) {
    if (t.type === "stack_trace" || t.type === "perf_event_array" || t.type === "ringbuf") continue;
    const keyType = t.keyType;
    if ([...KERNEL_ID, ...USER_ID].some((f) => new RegExp(`\\b${f}:`).test(keyType))) return t;
  }
  return undefined;
}
