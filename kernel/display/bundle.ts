/**
 * The Jupyter.display convention: a value renders itself when it has a
 * `Symbol.for("Jupyter.display")` method returning a mime bundle (or
 * `{ data, metadata }`), sync or async. Anything else is text/plain as
 * util.inspect shows it.
 */
import { inspect } from "node:util";
import type { DisplayData, MimeBundle } from "../io.js";

export const DISPLAY = Symbol.for("Jupyter.display");

export interface Displayable {
  [DISPLAY](): MimeBundle | DisplayData | Promise<MimeBundle | DisplayData>;
}

export function isDisplayable(value: unknown): value is Displayable {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as Record<symbol, unknown>)[DISPLAY] === "function"
  );
}

/** How a plain value reads as text: inspect with colours off, depth 4 (bigint shows as 123n). */
export function plainText(value: unknown): string {
  return inspect(value, { colors: false, depth: 4 });
}

export async function toDisplayData(value: unknown): Promise<DisplayData> {
  if (!isDisplayable(value)) return { data: { "text/plain": plainText(value) } };
  const out = await value[DISPLAY]();
  if (isDisplayData(out)) return out.metadata ? { data: out.data, metadata: out.metadata } : { data: out.data };
  if (typeof out !== "object" || out === null) return { data: { "text/plain": plainText(out) } };
  return { data: out as MimeBundle };
}

/** `{ data: {...}, metadata?: {...} }` with nothing else, as opposed to a bare bundle. */
function isDisplayData(out: unknown): out is DisplayData {
  if (typeof out !== "object" || out === null) return false;
  const keys = Object.keys(out);
  const data = (out as DisplayData).data;
  return (
    typeof data === "object" &&
    data !== null &&
    keys.every((k) => k === "data" || k === "metadata") &&
    !keys.some((k) => k.includes("/"))
  );
}

/** A value that displays as the given bundle. */
export function displayable(data: MimeBundle, metadata?: Record<string, unknown>, text?: string): Displayable {
  return {
    [DISPLAY]: () => (metadata ? { data, metadata } : data),
    toString: () => text ?? String(data["text/plain"] ?? ""),
    [inspect.custom]: () => text ?? String(data["text/plain"] ?? "[display]"),
  } as Displayable;
}
