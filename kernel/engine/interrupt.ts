/** The error an interrupted cell ends with, and the waits that produce it. */
import { atCellEnd, cellScope } from "./scope.js";

export class Interrupted extends Error {
  constructor(message = "the cell was interrupted") {
    super(message);
    this.name = "Interrupted";
  }
}

/**
 * Rejects with Interrupted once `signal` aborts; never settles otherwise.
 * Waiting on the running cell's own signal, the listener goes when the cell
 * is over (see untilAborted for why it must); on any other signal it stays:
 * prefer untilAborted, which removes it as soon as the wait is over.
 */
export function whenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) return reject(new Interrupted());
    const onAbort = (): void => reject(new Interrupted());
    signal.addEventListener("abort", onAbort, { once: true });
    const scope = cellScope.getStore();
    if (scope?.signal === signal) atCellEnd(scope, () => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * Settles as `work` does, or rejects with Interrupted as soon as `signal`
 * aborts, whichever comes first; either way its abort listener is gone
 * afterwards. A cell's signal is a composite (AbortSignal.any), and Node keeps
 * a composite signal with an abort listener strongly reachable until it aborts
 * or loses its last listener: a listener left behind would keep the signal,
 * and through its closure the race and the value it settled with (a cell's
 * Program, its request and output buffers), for the life of the kernel.
 */
export async function untilAborted<T>(work: T | PromiseLike<T>, signal: AbortSignal): Promise<Awaited<T>> {
  let onAbort!: () => void;
  const interrupted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new Interrupted());
  });
  // Raced even when already aborted, so a later rejection of `work` is handled.
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  try {
    return await Promise.race([work, interrupted]);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/** vm's error when breakOnSigint stopped a script. */
export function isSigintBreak(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED";
}
