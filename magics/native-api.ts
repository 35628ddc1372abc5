/**
 * The parts of native/ the BPF side calls at run time, loaded on first use
 * so that spec parsing, diagnostics and BTF work (and are testable) without
 * the addon built.
 */
import type { BatchCallback, BpfMap, CompileOptions, EventReader, Module, PerfBufferOptions } from "../native/types.js";

export interface NativeApi {
  compile(text: string, opts?: CompileOptions): Promise<Module>;
  openPerfBuffer(map: BpfMap, onBatch: BatchCallback, opts?: PerfBufferOptions): EventReader;
  openRingBuffer(map: BpfMap, onBatch: BatchCallback): EventReader;
  prepareCompiler(): Promise<void>;
}

let api: Promise<NativeApi> | undefined;

export function nativeApi(): Promise<NativeApi> {
  // A computed specifier keeps the type checker from requiring the module to exist yet.
  const spec = "../native/index.js";
  api ??= import(spec) as Promise<NativeApi>;
  return api;
}
