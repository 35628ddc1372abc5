/**
 * The main thread's end of the language worker: every request is a message,
 * answered asynchronously, so the main thread never waits on TypeScript.
 * Requests sent before the worker has loaded the service queue in the
 * worker's port and are answered, in order, once it has.
 *
 * The service is most of a settled kernel's memory (~70 MB of heap), so the
 * worker starts on the first request that needs an answer (completion,
 * inspection, a cell's type check) and stops once it has been idle for a
 * while; what the session declared (its history) is taken from the old worker
 * and handed to the next. Commits and magics' globals sent while no worker
 * runs wait here and go first to the next one.
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

/** Without a request for this long the worker stops (IBCC_LANGUAGE_IDLE_MS overrides; 0 never stops it). */
export const DEFAULT_IDLE_MS = 60_000;

/** Requests that only change the session's state: they never start a worker. */
type StateRequest = Extract<LanguageRequest, { op: "commit" | "declareGlobal" }>;

export class LanguageClient {
  private worker?: Worker;
  private failure?: Error;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  /** The history the last worker held when it stopped. */
  private history?: Array<[string, string]>;
  /** State requests made while no worker ran, for the next one. */
  private readonly backlog: StateRequest[] = [];
  private idleTimer?: NodeJS.Timeout;
  /** Bumped by every request: an idle stop in flight gives up when it changed. */
  private activity = 0;
  private stopping = false;
  /** The worker's OS thread id, which it writes here when it lowers its priority for the warm-up. */
  private readonly threadId = new Int32Array(new SharedArrayBuffer(4));
  /** Resolves once the first worker has loaded the service, with how long that took in the worker. */
  readonly ready: Promise<number>;
  private markReady!: (ms: number) => void;
  /** How many workers have been started (a restart after an idle stop counts). */
  starts = 0;

  constructor(
    private readonly data: LanguageWorkerData,
    private readonly idleMs = idleFromEnvironment(),
  ) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
  }

  /** Whether a worker (and so the service's memory) is up. */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** Starts the worker (idempotent); it loads the service on its own thread. */
  start(background = true): void {
    if (this.worker || this.failure || this.closed) return;
    let worker: Worker;
    try {
      const workerData: LanguageWorkerData = { ...this.data, history: this.history, background };
      worker = new Worker(workerScript(), { workerData: { ...workerData, threadId: this.threadId }, stdout: false, stderr: false });
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    this.worker = worker;
    this.starts++;
    // The slot names the current worker's thread once it lowers its priority; never an ended one's.
    Atomics.store(this.threadId, 0, 0);
    // The worker never keeps the kernel alive: shutdown exits whatever it is doing.
    worker.unref();
    worker.on("message", (m: FromLanguageWorker) => {
      if (m.kind === "ready") return this.markReady(m.loadMs);
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.kind === "result") p.resolve(m.value);
      else p.reject(new Error(m.message));
      this.armIdle();
    });
    worker.on("error", (err) => {
      if (this.worker === worker) this.fail(err);
    });
    worker.on("exit", (code) => {
      if (!this.closed && this.worker === worker) this.fail(new Error(`the language worker exited (${code})`));
    });
    for (const req of this.backlog.splice(0)) this.send(req).catch(() => {});
  }

  request<R extends LanguageRequest>(req: R): Promise<LanguageResults[R["op"]]> {
    this.activity++;
    if (!this.worker && !this.failure && !this.closed && (req.op === "commit" || req.op === "declareGlobal")) {
      this.backlog.push(req as StateRequest);
      return Promise.resolve(undefined as LanguageResults[R["op"]]);
    }
    this.start(req.op === "warnings");
    return this.send(req);
  }

  private send<R extends LanguageRequest>(req: R): Promise<LanguageResults[R["op"]]> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed || !this.worker) return Promise.reject(new Error("the language service is closed"));
    // Asking for its heap or history is no use of the service: the idle clock keeps running.
    if (req.op !== "memory" && req.op !== "history") {
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
    }
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker!.postMessage({ ...req, id });
    });
  }

  /** Once nothing is pending, a stop is scheduled after idleMs (unless one already is). */
  private armIdle(): void {
    if (this.pending.size || !this.idleMs || this.closed || this.idleTimer) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      void this.stopIdle();
    }, this.idleMs);
    this.idleTimer.unref();
  }

  /**
   * Takes the history from the worker and ends it, unless a request came in
   * meanwhile. Also what a test calls to stop it at once.
   */
  async stopIdle(): Promise<boolean> {
    const worker = this.worker;
    if (!worker || this.stopping || this.pending.size || this.closed || this.failure) return false;
    this.stopping = true;
    const seen = this.activity;
    try {
      const history = await this.send({ op: "history" });
      if (this.worker !== worker || this.activity !== seen || this.pending.size || this.closed) return false;
      this.history = history;
      this.worker = undefined;
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
      void worker.terminate().catch(() => {});
      return true;
    } catch {
      return false;
    } finally {
      this.stopping = false;
    }
  }

  /**
   * The worker's heap (after a full collection when `collect`), or undefined
   * when it has not been started or has failed: asking never starts it.
   */
  async memory(collect: boolean): Promise<HeapFigures | undefined> {
    if (!this.worker || this.failure || this.closed) return undefined;
    return this.send({ op: "memory", collect }).catch(() => undefined);
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
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
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

function idleFromEnvironment(): number {
  const text = process.env.IBCC_LANGUAGE_IDLE_MS?.trim();
  const v = text ? Number(text) : NaN;
  return Number.isFinite(v) && v >= 0 ? v : DEFAULT_IDLE_MS;
}
