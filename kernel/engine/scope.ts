/**
 * Which cell a piece of running code belongs to. Cell code runs inside
 * `cellScope.run`, and AsyncLocalStorage carries that through awaits, timers
 * and callbacks, so console output and display() from background work land in
 * the output of the cell that started it.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { ExecutionIO } from "../engine.js";

export interface CellScope {
  io: ExecutionIO;
  /** Aborted on interrupt (engine.interrupt() or the protocol's own abort of io.signal). */
  signal: AbortSignal;
  /** Output work (displays) the cell waits for before it reports its outcome. */
  pending: Set<Promise<unknown>>;
}

export const cellScope = new AsyncLocalStorage<CellScope>();

let latest: CellScope | undefined;

/** The running cell's scope, or else the last cell's (for output from timers made outside any cell). */
export function currentScope(): CellScope | undefined {
  return cellScope.getStore() ?? latest;
}

export function setLatestScope(scope: CellScope): void {
  latest = scope;
}
