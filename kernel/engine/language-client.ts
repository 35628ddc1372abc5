/**
 * The main thread's end of the language worker: every request is a message,
 * answered asynchronously, so the main thread never waits on TypeScript.
 * Requests sent before the worker has loaded the service queue in the
 * worker's port and are answered, in order, once it has.
 */
import { existsSync } from "node:fs";
import { getPriority, setPriority } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { FromLanguageWorker, HeapFigures, LanguageRequest, LanguageResults, LanguageWorkerData } from "./language-messages.js";

/**
 * The compiled worker script. Run from dist/ it sits beside this file; run
 * from the TypeScript sources (tests), Node cannot load a .ts worker, so the
 * build's copy is used.
 */
function workerScript(): URL {
  const here = new URL("./language-worker.js", import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  const built = fileURLToPath(here).replace(/\/kernel\/engine\/language-worker\.js$/, "/dist/kernel/engine/language-worker.js");
  if (existsSync(built)) return pathToFileURL(built);
  throw new Error(`language worker not found at ${fileURLToPath(here)} (run npx tsc -p tsconfig.json)`);
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

export class LanguageClient {
  private worker?: Worker;
  private failure?: Error;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  /** The worker's OS thread id, which it writes here when it lowers its priority for the warm-up. */
  private readonly threadId = new Int32Array(new SharedArrayBuffer(4));
  /** Resolves once the service has loaded, with how long that took in the worker. */
  readonly ready: Promise<number>;
  private markReady!: (ms: number) => void;

  constructor(private readonly data: LanguageWorkerData) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
  }

  /** Starts the worker (idempotent); it loads the service on its own thread. */
  start(): void {
    if (this.worker || this.failure || this.closed) return;
    let worker: Worker;
    try {
      worker = new Worker(workerScript(), { workerData: { ...this.data, threadId: this.threadId }, stdout: false, stderr: false });
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    this.worker = worker;
    // The worker never keeps the kernel alive: shutdown exits whatever it is doing.
    worker.unref();
    worker.on("message", (m: FromLanguageWorker) => {
      if (m.kind === "ready") return this.markReady(m.loadMs);
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.kind === "result") p.resolve(m.value);
      else p.reject(new Error(m.message));
    });
    worker.on("error", (err) => this.fail(err));
    worker.on("exit", (code) => {
      if (!this.closed) this.fail(new Error(`the language worker exited (${code})`));
    });
  }

  request<R extends LanguageRequest>(req: R): Promise<LanguageResults[R["op"]]> {
    this.start();
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed || !this.worker) return Promise.reject(new Error("the language service is closed"));
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker!.postMessage({ ...req, id });
    });
  }

  /**
   * The worker's heap (after a full collection when `collect`), or undefined
   * when it has not been started or has failed: asking never starts it.
   */
  async memory(collect: boolean): Promise<HeapFigures | undefined> {
    if (!this.worker || this.failure || this.closed) return undefined;
    return this.request({ op: "memory", collect }).catch(() => undefined);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  /** Stops the worker; pending requests reject. Does not wait for the thread to end. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.fail(new Error("the language service is closed"));
    // The process's exit waits for the thread to stop: a warm-up still at low
    // priority on a busy machine would hold it for seconds.
    const tid = Atomics.load(this.threadId, 0);
    if (tid) {
      try {
        setPriority(tid, getPriority(0));
      } catch {
        // without CAP_SYS_NICE the thread stays where it is
      }
    }
    void this.worker?.terminate().catch(() => {});
  }
}
