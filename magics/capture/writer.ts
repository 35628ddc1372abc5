/**
 * Hands reads to the writer thread (write-worker.ts) and tracks the files in
 * flight: the read's bytes are copied once here and everything else happens
 * off the kernel's thread. flush() waits for every file asked for so far.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { WriteDone, WriteJob } from "./write-worker.js";

let worker: Worker | undefined;

/** The compiled worker beside this file; run from the TypeScript sources (tests), the build's copy. */
function workerFile(): URL {
  const here = new URL("./write-worker.js", import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  return new URL("../../dist/magics/capture/write-worker.js", import.meta.url);
}
let nextId = 1;
const waiting = new Map<number, (done: WriteDone) => void>();

function thread(): Worker {
  if (worker) return worker;
  const w = new Worker(workerFile());
  w.on("message", (done: WriteDone | { returned: ArrayBuffer } | { released: SharedArrayBuffer }) => {
    if ("returned" in done) {
      if (free.length < 8) free.push(done.returned);
      return;
    }
    if ("released" in done) {
      staging.push(done.released);
      return;
    }
    waiting.get(done.id)?.(done);
    waiting.delete(done.id);
    if (waiting.size === 0) w.unref();
  });
  w.on("error", (e) => {
    for (const [, resolve] of waiting) resolve({ id: 0, error: `capture writer failed: ${e.message}` });
    waiting.clear();
    worker = undefined;
  });
  w.unref();
  worker = w;
  return w;
}

/**
 * An event stream's bytes go to the writer thread a slab at a time while the
 * stream runs, and the slab comes back empty for the next wake-ups: the
 * reading thread writes into memory already paged in, and the new memory a
 * long stream needs is faulted in on the writer's thread.
 */
export const SLAB = 1 << 20;
const free: ArrayBuffer[] = [];
let nextSink = 1;

export const newSink = (): number => nextSink++;

export function slab(bytes = SLAB): Uint8Array {
  if (bytes > SLAB) return new Uint8Array(bytes);
  return new Uint8Array(free.pop() ?? new ArrayBuffer(SLAB));
}

/** Moves a full slab's bytes (a view of it) to the sink; the slab itself comes back to the pool. */
export function append(sink: number, part: Uint8Array): void {
  thread().postMessage({ append: sink, part }, [part.buffer as ArrayBuffer]);
}

/**
 * A map read is copied into shared memory that the writer thread copies out
 * of at once and hands back: the reading thread's copy then lands in memory
 * already paged in (a fresh 32 MB copy would fault in 8,000 pages on the
 * reading thread), and the new memory is faulted in on the writer's.
 */
const staging: SharedArrayBuffer[] = [];

export function stage(bytes: number): Uint8Array {
  const i = staging.findIndex((b) => b.byteLength >= bytes);
  const sab = i >= 0 ? staging.splice(i, 1)[0] : new SharedArrayBuffer(Math.max(bytes, SLAB));
  return new Uint8Array(sab, 0, bytes);
}

/** Lets the staging memory go (capture turned off). */
export function dropStaging(): void {
  staging.length = 0;
}

/** Writes one capture file; resolves with its size or the error, never rejects. */
export function writeCapture(file: string, read: WriteJob["read"], meta: Record<string, unknown>): Promise<WriteDone> {
  const w = thread();
  const id = nextId++;
  const buffers = read.kind === "map" ? [read.keys.buffer, read.values.buffer] : [...read.parts.map((p) => p.buffer), read.offsets.buffer];
  const transfer = [...new Set(buffers.filter((b): b is ArrayBuffer => b instanceof ArrayBuffer))];
  w.ref();
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    w.postMessage({ id, file, read, meta } satisfies WriteJob, transfer as ArrayBuffer[]);
  });
}

const inFlight = new Set<Promise<unknown>>();

/** Tracks a write so flush() can wait for it. */
export function track<T>(p: Promise<T>): Promise<T> {
  inFlight.add(p);
  void p.finally(() => inFlight.delete(p));
  return p;
}

export async function flush(): Promise<void> {
  while (inFlight.size) await Promise.all([...inFlight]);
}

export const writesInFlight = (): number => inFlight.size;

/** Ends the writer thread (kernel shutdown); files in flight are given up to `ms` first. */
export async function stopWriter(ms = 1000): Promise<void> {
  await Promise.race([flush(), new Promise((r) => setTimeout(r, ms).unref())]);
  await worker?.terminate();
  worker = undefined;
}
