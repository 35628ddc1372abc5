/**
 * Protocol 5.2+ counts cursor positions in Unicode code points, and so does the
 * Engine; JavaScript strings count UTF-16 units. These helpers keep the two apart.
 */

export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** A cursor from a request: missing means the end of the code, out of range is clamped. */
export function cursorFrom(value: unknown, code: string): number {
  const length = codePointLength(code);
  if (typeof value !== "number" || !Number.isFinite(value)) return length;
  return Math.max(0, Math.min(length, Math.trunc(value)));
}
