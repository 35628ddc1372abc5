/**
 * The ibcc side of the bench reaches our binding through this one file. It is
 * loaded at run time, so the BCC halves still run (and the table still prints)
 * on a checkout whose addon is not built yet; ibcc cells then say why.
 */
import type { EventCallback, BpfMap, CompileOptions, EventReader, Module, PerfBufferOptions } from "../../native/types.js";

export interface Binding {
  compile(text: string, opts?: CompileOptions): Promise<Module>;
  openPerfBuffer(map: BpfMap, onBatch: EventCallback, opts?: PerfBufferOptions): EventReader;
  openRingBuffer(map: BpfMap, onBatch: EventCallback): EventReader;
  libbccVersion?: string;
  prepareCompiler?(): Promise<void>;
  /** Resolves once background detaching is done (absent before it existed). */
  settled?(): Promise<void>;
  /** Resolves once the compiler has returned the memory it keeps between compiles. */
  returnFreedMemory?(): Promise<void>;
}

// Specifiers held in variables keep tsc from resolving files that may not exist yet.
const INDEX = "../../native/index.js";

let cached: Promise<Binding> | undefined;

export function binding(): Promise<Binding> {
  cached ??= (async () => {
    const m = (await import(INDEX)) as Partial<Binding> & { default?: Partial<Binding> };
    const b = m.default && typeof m.compile !== "function" ? m.default : m;
    if (typeof b.compile !== "function") throw new Error("native/index.js has no compile()");
    return b as Binding;
  })();
  return cached;
}

/** "n/a: <why>" for a cell the ibcc side could not fill. */
export function why(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/Cannot find module .*native/.test(msg)) return "binding not built yet";
  return msg.split("\n")[0].slice(0, 100);
}
