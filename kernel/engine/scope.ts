/**
 * Which cell a piece of running code belongs to. Cell code runs inside
 * `cellScope.run`, and AsyncLocalStorage carries that through awaits, timers
 * and callbacks, so console output and display() from background work land in
 * the output of the cell that started it.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { CellOutput } from "./output.js";

export interface CellScope {
  io: CellOutput;
  /** Aborted on interrupt (engine.interrupt() or the protocol's own abort of io.signal). */
  signal: AbortSignal;
  /** performance.now() when the cell started. */
  startedAt: number;
  /** Output work (displays) the cell waits for before it reports its outcome. */
  pending: Set<Promise<unknown>>;
  /** Output in flight, in the order the cell produced it. */
  tail: Promise<unknown>;
  outstanding: number;
  /** What to let go of once the cell is over (see atCellEnd). */
  leftovers: Array<() => void>;
}

export function newScope(io: CellOutput, signal: AbortSignal): CellScope {
  return { io, signal, startedAt: performance.now(), pending: new Set(), tail: Promise.resolve(), outstanding: 0, leftovers: [] };
}

/**
 * Runs `drop` once the cell is over, which is at the latest when the next
 * cell starts: cells run one at a time, and the engine awaits everything a
 * cell runs before it reports the cell's outcome.
 */
export function atCellEnd(scope: CellScope, drop: () => void): void {
  scope.leftovers.push(drop);
}

/**
 * Runs output work after the cell's earlier output: a display renders
 * asynchronously, and a console.log right after it must not overtake it.
 */
export function inOrder<T>(scope: CellScope, task: () => T | Promise<T>): Promise<T> {
  scope.outstanding++;
  const run = scope.tail.then(task);
  const done = run.then(
    () => {},
    () => {},
  );
  scope.tail = done;
  scope.pending.add(done);
  void done.then(() => {
    scope.outstanding--;
    scope.pending.delete(done);
  });
  return run;
}

/** Sends stream text now, or after the displays still in flight. */
export function streamInOrder(scope: CellScope, name: "stdout" | "stderr", text: string): void {
  if (scope.outstanding === 0) scope.io.stream(name, text);
  else void inOrder(scope, () => scope.io.stream(name, text));
}

export const cellScope = new AsyncLocalStorage<CellScope>();

let latest: CellScope | undefined;

/** The running cell's scope, or else the last cell's (for output from timers made outside any cell). */
export function currentScope(): CellScope | undefined {
  return cellScope.getStore() ?? latest;
}

export function setLatestScope(scope: CellScope): void {
  const previous = latest;
  latest = scope;
  if (previous && previous !== scope) for (const drop of previous.leftovers.splice(0)) drop();
}

/** Whether no cell has started since the one with this scope. */
export function isLatestScope(scope: CellScope): boolean {
  return latest === scope;
}
