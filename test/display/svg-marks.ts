/** Counting what Vega drew, in its SVG output. */

/** Items of a mark type: Vega's SVG puts each mark's items in a `<g class="mark-TYPE role-mark ...">`. */
export function countMarkItems(svg: string, markType: "rect" | "line" | "text" | "symbol", element = "path"): number {
  let total = 0;
  const open = new RegExp(`<g class="mark-${markType} role-mark[^"]*"[^>]*>`, "g");
  for (const m of svg.matchAll(open)) {
    // Items are the direct children up to the group's closing tag; mark groups do not nest.
    const start = m.index! + m[0].length;
    const end = svg.indexOf("</g>", start);
    const body = svg.slice(start, end);
    total += (body.match(new RegExp(`<${element}[\\s>]`, "g")) ?? []).length;
  }
  return total;
}

export function isPng(base64: string): boolean {
  const b = Buffer.from(base64, "base64");
  return b.length > 100 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
}
