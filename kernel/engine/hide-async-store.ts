/**
 * The cell scope rides on every promise and timer a cell makes: Node's
 * AsyncLocalStorage keeps it in an enumerable `Symbol(kResourceStore)`
 * property (beside the async ids of its promise hooks), so util.inspect would
 * print the kernel's own objects under a cell's promise. Each such object is
 * inspected with those properties made non-enumerable first: they keep their
 * values and their work, and no longer show.
 */
import { inspect } from "node:util";

const INTERNAL = new Set(["kResourceStore", "async_id_symbol", "trigger_async_id_symbol"]);

function hideInternals(target: object): void {
  for (const sym of Object.getOwnPropertySymbols(target)) {
    if (!INTERNAL.has(sym.description ?? "")) continue;
    const desc = Object.getOwnPropertyDescriptor(target, sym);
    if (desc?.enumerable && desc.configurable) Object.defineProperty(target, sym, { enumerable: false });
  }
}

type Custom = (this: object, depth: number, options: object, insp: typeof inspect) => unknown;

/** Gives a prototype an inspect.custom that hides the internals, then goes on as before. */
function guard(proto: Record<symbol, unknown>): void {
  const previous = proto[inspect.custom] as (Custom & { hidesAsyncStore?: true }) | undefined;
  if (previous?.hidesAsyncStore) return;
  const custom: Custom & { hidesAsyncStore?: true } = function (depth, options, insp) {
    hideInternals(this);
    // Returning the object itself makes util.inspect format it as it would have without us.
    return previous ? previous.call(this, depth, options, insp) : this;
  };
  custom.hidesAsyncStore = true;
  Object.defineProperty(proto, inspect.custom, { value: custom, writable: true, configurable: true, enumerable: false });
}

/** Guards this realm's promises and timers, and the given context's Promise. */
export function hideAsyncStore(contextPromise?: { prototype: object }): void {
  guard(Promise.prototype as unknown as Record<symbol, unknown>);
  if (contextPromise) guard(contextPromise.prototype as Record<symbol, unknown>);
  const timeout = setTimeout(() => {}, 0);
  clearTimeout(timeout);
  guard(Object.getPrototypeOf(timeout));
  const immediate = setImmediate(() => {});
  clearImmediate(immediate);
  guard(Object.getPrototypeOf(immediate));
}

