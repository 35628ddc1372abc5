/**
 * Small lexical helpers over BPF C text: blank out comments and string
 * literals (keeping every offset and line number) so that scans for names
 * never match inside them.
 */
export function blankCommentsAndStrings(text: string): string {
  let out = "";
  let i = 0;
  const keepNewlines = (s: string) => s.replace(/[^\n]/g, " ");
  while (i < text.length) {
    const c = text[i];
    const n = text[i + 1];
    if (c === "/" && n === "/") {
      const end = text.indexOf("\n", i);
      const stop = end < 0 ? text.length : end;
      out += keepNewlines(text.slice(i, stop));
      i = stop;
    } else if (c === "/" && n === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out += keepNewlines(text.slice(i, stop));
      i = stop;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c && text[j] !== "\n") j += text[j] === "\\" ? 2 : 1;
      const stop = Math.min(j + 1, text.length);
      out += c + keepNewlines(text.slice(i + 1, stop - 1)) + (stop - 1 > i ? text[stop - 1] : "");
      i = stop;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The offset just past the parenthesis that closes the one at `open`, or -1. */
export function closeParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")" && --depth === 0) return i + 1;
  }
  return -1;
}

/** 1-based line number of an offset. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === "\n") line++;
  return line;
}
