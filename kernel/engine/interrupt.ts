/** The error an interrupted cell ends with, and the wait that produces it. */

export class Interrupted extends Error {
  constructor(message = "the cell was interrupted") {
    super(message);
    this.name = "Interrupted";
  }
}

/** Rejects with Interrupted once `signal` aborts; never settles otherwise. */
export function whenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(new Interrupted());
    else signal.addEventListener("abort", () => reject(new Interrupted()), { once: true });
  });
}

/** vm's error when breakOnSigint stopped a script. */
export function isSigintBreak(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED";
}
