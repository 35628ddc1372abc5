/** Turns the addon's errors (Error with op, errno, code) into BpfError. */
import { BpfError } from "./types.js";

export function asBpfError(e: unknown): unknown {
  if (e instanceof Error && !(e instanceof BpfError) && typeof (e as { op?: unknown }).op === "string") {
    const { op, errno, code } = e as Error & { op: string; errno: number; code: string };
    return new BpfError(e.message, code, errno, op);
  }
  return e;
}

/** Runs one addon call; its failure comes out as a BpfError. */
export function native<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw asBpfError(e);
  }
}

export function closedError(what: string, op: string): BpfError {
  return new BpfError(`${op}: ${what} is closed`, "EBADF", 9, op);
}
