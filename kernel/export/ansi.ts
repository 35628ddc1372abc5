/**
 * Terminal colours in tracebacks and streams as HTML spans: the SGR codes
 * compile diagnostics and errors use (bold, the eight colours and their bright
 * forms); any other escape sequence is dropped.
 */
import { escapeHtml } from "./markdown.js";

const COLOURS = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "gray"];

export function ansiToHtml(input: string): string {
  let out = "";
  let open = 0;
  let last = 0;
  const re = /\x1b\[([0-9;]*)([A-Za-z])/g;
  let m: RegExpExecArray | null;
  const close = () => {
    out += "</span>".repeat(open);
    open = 0;
  };
  while ((m = re.exec(input))) {
    out += escapeHtml(input.slice(last, m.index));
    last = re.lastIndex;
    if (m[2] !== "m") continue;
    const codes = m[1] === "" ? [0] : m[1].split(";").map(Number);
    for (const c of codes) {
      if (c === 0 || c === 39 || c === 22) close();
      else if (c === 1) {
        out += `<span class="ansi-bold">`;
        open++;
      } else if ((c >= 30 && c <= 37) || (c >= 90 && c <= 97)) {
        out += `<span class="ansi-${COLOURS[(c % 10) % 8]}">`;
        open++;
      }
    }
  }
  out += escapeHtml(input.slice(last));
  close();
  return out;
}
