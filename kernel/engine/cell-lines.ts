/** A cell's lines with their offsets, and blanking: text work that needs no TypeScript. */

export interface Line {
  text: string;
  /** UTF-16 offset of the line's start in the cell. */
  offset: number;
}

export function linesOf(code: string): Line[] {
  const lines: Line[] = [];
  let offset = 0;
  for (const text of code.split("\n")) {
    lines.push({ text, offset });
    offset += text.length + 1;
  }
  return lines;
}

/** Blanks a string to spaces, keeping newlines and UTF-16 length. */
export function blank(text: string): string {
  return text.replace(/[^\n]/g, " ");
}
