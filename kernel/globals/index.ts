/**
 * The globals every TypeScript cell sees, bound to the running cell through
 * its scope: display, clearOutput, sleep, input, and the rich-text wrappers.
 */
import { randomUUID } from "node:crypto";
import { html, md, svg, vegalite } from "../display/wrappers.js";
import { Interrupted } from "../engine/interrupt.js";
import { currentScope, inOrder, type CellScope } from "../engine/scope.js";

export { GLOBALS_DECLARATIONS } from "./declarations.js";

function scopeOrThrow(what: string): CellScope {
  const scope = currentScope();
  if (!scope) throw new Error(`${what} needs a running cell`);
  return scope;
}

export interface CellDisplayHandle {
  readonly displayId: string;
  update(value: unknown): Promise<void>;
}

/**
 * Shows a value now and returns its handle at once (no await needed); the
 * cell waits for the output to go out before it finishes.
 */
function display(value: unknown, options?: { displayId?: string }): CellDisplayHandle {
  const scope = scopeOrThrow("display()");
  const displayId = options?.displayId ?? randomUUID();
  const report = (err: unknown): void =>
    scope.io.stream("stderr", `display failed: ${(err as Error)?.message ?? String(err)}\n`);
  const shown = inOrder(scope, () => scope.io.display(value, { displayId }));
  shown.catch(report);
  const handle: CellDisplayHandle = {
    displayId,
    update: (next: unknown) =>
      inOrder(scope, async () => (await shown).update(next)).catch(report),
  };
  // Hidden from the user's view of the handle; lets the engine tell it from any other value.
  Object.defineProperty(handle, DISPLAY_HANDLE, { value: true });
  return handle;
}

const DISPLAY_HANDLE = Symbol("ibcc.displayHandle");

/**
 * A handle display() returned: as a cell's value it shows nothing, as
 * IPython's display() returns None (`await display(x)` ends many cells).
 */
export function isDisplayHandle(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[DISPLAY_HANDLE] === true;
}

function clearOutput(wait = false): void {
  const scope = scopeOrThrow("clearOutput()");
  if (scope.outstanding === 0) scope.io.clearOutput(wait);
  else void inOrder(scope, () => scope.io.clearOutput(wait));
}

/** Resolves after `ms`; rejects with Interrupted as soon as the cell is interrupted. */
function sleep(ms: number): Promise<void> {
  const signal = currentScope()?.signal;
  return new Promise((resolve, reject) => {
    // Rejected on a later turn: a loop that catches the rejection and sleeps again must
    // still let the event loop run (and the kernel answer), not spin in microtasks.
    if (signal?.aborted) return void setImmediate(() => reject(new Interrupted()));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Interrupted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function input(prompt = "", password = false): Promise<string> {
  return scopeOrThrow("input()").io.input(prompt, password);
}

export function kernelGlobals(): Record<string, unknown> {
  return { display, clearOutput, sleep, input, html, md, svg, vegalite };
}
