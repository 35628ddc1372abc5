/** What handlers share: the engine, counters, registries, and lifecycle hooks. */
import type { Engine } from "../engine.js";
import type { HistoryStore } from "../history/store.js";
import type { CommRegistry } from "./comms.js";
import type { RequestContext } from "./context.js";
import type { InputBroker } from "./stdin.js";

export interface KernelState {
  readonly engine: Engine;
  readonly history: HistoryStore;
  readonly comms: CommRegistry;
  readonly stdin: InputBroker;
  executionCount: number;
  /** The last cell that ran visibly: where stray errors from background work are shown. */
  lastCell: RequestContext | undefined;
  /** The running cell's interrupt switch, if a cell is running. */
  currentAbort: AbortController | undefined;
  /** Takes the execute requests queued behind the running one out of the queue, to be aborted. */
  abortQueued(): Promise<void>;
  /** Replies have been sent; runs the engine's shutdown (at most 2 s) and exits. */
  shutdown(restart: boolean): void;
}

export type Handler = (ctx: RequestContext, state: KernelState) => void | Promise<void>;
