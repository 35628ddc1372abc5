/** The protocol counts cursor positions in code points; JavaScript strings in UTF-16 units. */

export function codePointsToUtf16(text: string, cursor: number): number {
  let units = 0;
  let points = 0;
  for (const ch of text) {
    if (points >= cursor) break;
    units += ch.length;
    points++;
  }
  return units;
}

export function utf16ToCodePoints(text: string, offset: number): number {
  let points = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A high surrogate and its low half count once.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) i++;
    points++;
  }
  return points;
}
