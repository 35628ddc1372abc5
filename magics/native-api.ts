/**
 * The parts of native/ the BPF side calls at run time, loaded on first use
 * so that spec parsing, diagnostics and BTF work (and are testable) without
 * the addon built.
 */
import { Worker } from "node:worker_threads";
import type { BpfMap, CompileOptions, EventCallback, EventReader, Module, PerfBufferOptions } from "../native/types.js";
import type { HeapInfo } from "../native/heap.js";
import type * as Introspect from "../native/introspect.js";
import type { UsdtProbes, UsdtTarget } from "../native/usdt.js";

export interface NativeApi {
  compile(text: string, opts?: CompileOptions): Promise<Module>;
  openPerfBuffer(map: BpfMap, onBatch: EventCallback, opts?: PerfBufferOptions): EventReader;
  openRingBuffer(map: BpfMap, onBatch: EventCallback): EventReader;
  prepareCompiler(): Promise<void>;
  heapInfo(): HeapInfo;
  returnFreedMemory(): Promise<void>;
  openUsdt(targets: UsdtTarget[]): Promise<UsdtProbes>;
  introspect: Pick<typeof Introspect, "heldBy" | "program" | "map">;
}

let api: Promise<NativeApi> | undefined;
let preloading: Promise<void> | undefined;

export function nativeApi(): Promise<NativeApi> {
  // A computed specifier keeps the type checker from requiring the module to exist yet.
  const spec = "../native/index.js";
  api ??= (preloading ?? Promise.resolve()).then(() => import(spec) as Promise<NativeApi>);
  return api;
}

/** glibc's and musl's RTLD_NODELETE (Node lists no constant for it). */
const RTLD_NOW_NODELETE = 0x2 | 0x1000;

/**
 * Maps libbcc with LLVM and clang (over 100 MB of shared objects) on a worker
 * thread: the dynamic linker's relocations take 0.1 s of CPU, and more than
 * half a second when the pages come from disk, which the main thread would
 * otherwise spend inside dlopen. RTLD_NODELETE keeps the libraries mapped
 * after the worker's failed module registration (libbcc is no Node addon),
 * so the addon's own dlopen later finds them loaded and takes milliseconds.
 * nativeApi() waits for this when it was started. Idempotent; never rejects.
 */
export function preloadNative(library = "libbcc.so.0"): Promise<void> {
  preloading ??= new Promise<void>((resolve) => {
    const code = `try { process.dlopen({ exports: {} }, require("node:worker_threads").workerData.library, ${RTLD_NOW_NODELETE}); } catch {}`;
    let worker: Worker;
    try {
      worker = new Worker(code, { eval: true, workerData: { library }, stdout: true, stderr: true });
    } catch {
      resolve();
      return;
    }
    worker.unref();
    worker.once("exit", () => resolve());
    worker.once("error", () => resolve());
  });
  return preloading;
}
