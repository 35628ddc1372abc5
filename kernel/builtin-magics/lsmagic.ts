/** %lsmagic: every magic the kernel knows, with its one-line help. */
import type { LineMagic, Magic } from "../plugin.js";
import { displayable } from "../display/bundle.js";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };
const escapeHtml = (s: string): string => s.replace(/[&<>"]/g, (c) => ESCAPES[c]);

function spell(m: Magic): string {
  return `${m.kind === "line" ? "%" : "%%"}${m.name}`;
}

export function magicListing(magics: Magic[]) {
  const width = Math.max(0, ...magics.map((m) => spell(m).length));
  const text = ["Line magics and cell magics (%name stands alone on a line; %%name starts a block):", ""]
    .concat(magics.map((m) => `  ${spell(m).padEnd(width)}  ${m.help}`))
    .join("\n");
  const rows = magics
    .map((m) => `<tr><td style="text-align:left"><code>${escapeHtml(spell(m))}</code></td><td style="text-align:left">${escapeHtml(m.help)}</td></tr>`)
    .join("");
  const html = `<table class="ibcc-magics"><thead><tr><th style="text-align:left">magic</th><th style="text-align:left">what it does</th></tr></thead><tbody>${rows}</tbody></table>`;
  return displayable({ "text/plain": text, "text/html": html });
}

export function lsmagic(list: () => Magic[]): LineMagic {
  return {
    kind: "line",
    name: "lsmagic",
    help: "List every line and cell magic with its one-line help",
    run: () => magicListing(list()),
  };
}
