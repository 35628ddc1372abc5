/**
 * Splits a magic's argument text into words the way a shell would: blanks
 * separate, single and double quotes group, a backslash escapes the next
 * character. Enough for `--cflags "-DX=1 -I/usr/include"` without a shell.
 */
export class HeaderSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HeaderSyntaxError";
  }
}

export function tokenize(text: string): string[] {
  const words: string[] = [];
  let cur = "";
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === "\\" && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < text.length) {
      cur += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = "";
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new HeaderSyntaxError(`unterminated ${quote} quote in: ${text}`);
  if (inWord) words.push(cur);
  return words;
}
