/**
 * Text that ends up inside Vega expressions. Vega-Lite builds tooltip
 * expressions from encoding titles and escapes quotes but not backslashes, so
 * a unit or column name ending in "\" would break the whole chart; such
 * characters are swapped for look-alikes.
 */
export function safeTitle(s: string): string {
  return s.replace(/\\/g, "∖").replace(/[\u0000-\u001f\u007f]/g, " ");
}
