/**
 * The Markdown of notebook cells as HTML: headings, paragraphs, emphasis, code
 * spans and fenced blocks, links, images, lists, tables, block quotes and rules,
 * which is what course notebooks use. Raw HTML in the source is escaped, not
 * passed through, so an exported page runs no script a cell's text smuggled in.
 */

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Only links a reader can safely follow from a standalone page. */
function safeUrl(url: string): string {
  const u = url.trim();
  return /^(https?:|mailto:|#|\.{0,2}\/|[\w.-]+(\/|$|#|\.))/i.test(u) && !/^javascript:/i.test(u) ? u : "#";
}

/** Inline Markdown: code spans first (their content is literal), then links, emphasis. */
export function inline(text: string): string {
  const codes: string[] = [];
  let s = text.replace(/(`+)([\s\S]*?[^`])\1(?!`)/g, (_, __, code: string) => {
    codes.push(`<code>${escapeHtml(code.trim() === "" ? code : code.replace(/^ (.*) $/, "$1"))}</code>`);
    return `\u0000${codes.length - 1}\u0000`;
  });
  s = escapeHtml(s);
  s = s.replace(/!\[([^\]]*)\]\(([^)\s]+)\)/g, (_, alt: string, url: string) => `<img alt="${alt}" src="${escapeHtml(safeUrl(url))}">`);
  s = s.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_, label: string, url: string) => `<a href="${escapeHtml(safeUrl(url))}">${label}</a>`);
  s = s.replace(/&lt;(https?:\/\/[^\s&]+)&gt;/g, (_, url: string) => `<a href="${url}">${url}</a>`);
  s = s.replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>").replace(/__([^_]+)__/g, "<strong>$1</strong>");
  s = s.replace(/(^|[^*\w])\*([^*\s][^*]*?)\*(?!\w)/g, "$1<em>$2</em>").replace(/(^|[^_\w])_([^_\s][^_]*?)_(?!\w)/g, "$1<em>$2</em>");
  s = s.replace(/ {2,}\n/g, "<br>\n");
  return s.replace(/\u0000(\d+)\u0000/g, (_, i: string) => codes[Number(i)]);
}

const isBlank = (l: string) => l.trim() === "";
const FENCE = /^\s*(```+|~~~+)\s*([\w+-]*)/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^\s*([-*_])(\s*\1){2,}\s*$/;
const LIST_ITEM = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/;
const TABLE_SEP = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;

function splitRow(line: string): string[] {
  let l = line.trim();
  if (l.startsWith("|")) l = l.slice(1);
  if (l.endsWith("|") && !l.endsWith("\\|")) l = l.slice(0, -1);
  // a pipe inside a code span or escaped does not split
  const cells: string[] = [];
  let cur = "";
  let inCode = false;
  for (let i = 0; i < l.length; i++) {
    const c = l[i];
    if (c === "`") inCode = !inCode;
    if (c === "\\" && l[i + 1] === "|") {
      cur += "|";
      i++;
    } else if (c === "|" && !inCode) {
      cells.push(cur.trim());
      cur = "";
    } else cur += c;
  }
  cells.push(cur.trim());
  return cells;
}

/**
 * As in CommonMark (marked, which JupyterLab and Notebook 7 use): a list
 * interrupts a paragraph only when it is a bullet or starts at 1, so a wrapped
 * line that begins "8. bpftrace ..." stays the paragraph's text.
 */
function interruptsParagraph(line: string): boolean {
  const m = LIST_ITEM.exec(line);
  return m !== null && (!/\d/.test(m[2]) || /^1[.)]$/.test(m[2]));
}

function startsBlock(line: string, next: string | undefined): boolean {
  return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || interruptsParagraph(line) || /^\s*>/.test(line) ||
    (line.includes("|") && next !== undefined && TABLE_SEP.test(next));
}

export function markdownToHtml(md: string): string {
  const lines = md.replace(/\r\n?/g, "\n").split("\n");
  return blocks(lines).join("\n");
}

function blocks(lines: string[]): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (isBlank(line)) {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i].trim().startsWith(fence[1]); i++) body.push(lines[i]);
      i++;
      const lang = fence[2] ? ` class="language-${escapeHtml(fence[2])}"` : "";
      out.push(`<pre><code${lang}>${escapeHtml(body.join("\n"))}</code></pre>`);
      continue;
    }
    const h = HEADING.exec(line);
    if (h) {
      const level = h[1].length;
      const id = h[2].toLowerCase().replace(/<[^>]*>|`/g, "").replace(/[^\w]+/g, "-").replace(/^-|-$/g, "");
      out.push(`<h${level} id="${escapeHtml(id)}">${inline(h[2])}</h${level}>`);
      i++;
      continue;
    }
    if (RULE.test(line)) {
      out.push("<hr>");
      i++;
      continue;
    }
    if (/^\s*>/.test(line)) {
      const body: string[] = [];
      for (; i < lines.length && /^\s*>/.test(lines[i]); i++) body.push(lines[i].replace(/^\s*>\s?/, ""));
      out.push(`<blockquote>${blocks(body).join("\n")}</blockquote>`);
      continue;
    }
    if (line.includes("|") && i + 1 < lines.length && TABLE_SEP.test(lines[i + 1])) {
      const head = splitRow(line);
      const aligns = splitRow(lines[i + 1]).map((c) => (c.startsWith(":") && c.endsWith(":") ? "center" : c.endsWith(":") ? "right" : ""));
      const cell = (tag: string, c: string, k: number) => `<${tag}${aligns[k] ? ` style="text-align:${aligns[k]}"` : ""}>${inline(c)}</${tag}>`;
      const rows: string[] = [];
      for (i += 2; i < lines.length && !isBlank(lines[i]) && lines[i].includes("|"); i++) {
        rows.push(`<tr>${splitRow(lines[i]).map((c, k) => cell("td", c, k)).join("")}</tr>`);
      }
      out.push(`<table><thead><tr>${head.map((c, k) => cell("th", c, k)).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`);
      continue;
    }
    const item = LIST_ITEM.exec(line);
    if (item) {
      const [html, next] = list(lines, i);
      out.push(html);
      i = next;
      continue;
    }
    const para: string[] = [];
    for (; i < lines.length && !isBlank(lines[i]) && (para.length === 0 || !startsBlock(lines[i], lines[i + 1])); i++) para.push(lines[i]);
    out.push(`<p>${inline(para.join("\n"))}</p>`);
  }
  return out;
}

/** A list starting at line `start`; nested lists are items indented further. */
function list(lines: string[], start: number): [string, number] {
  const first = LIST_ITEM.exec(lines[start])!;
  const indent = first[1].length;
  const ordered = /\d/.test(first[2]);
  const items: string[][] = [];
  let i = start;
  while (i < lines.length) {
    const m = LIST_ITEM.exec(lines[i]);
    if (m && m[1].length === indent) {
      items.push([m[3]]);
      i++;
      continue;
    }
    if (isBlank(lines[i])) {
      // a blank line ends the list unless the next line continues it
      const next = lines[i + 1];
      if (next !== undefined && (LIST_ITEM.exec(next)?.[1].length === indent || /^\s+/.test(next) && !isBlank(next) && leading(next) > indent)) {
        items[items.length - 1].push("");
        i++;
        continue;
      }
      break;
    }
    if (leading(lines[i]) > indent || (!startsBlock(lines[i], lines[i + 1]) && !m)) {
      items[items.length - 1].push(lines[i].slice(Math.min(leading(lines[i]), indent + 2)));
      i++;
      continue;
    }
    break;
  }
  const start0 = ordered ? Number(/\d+/.exec(first[2])![0]) : 1;
  const tag = ordered ? "ol" : "ul";
  const lis = items.map((body) => {
    const inner = blocks(body);
    // a tight item is one paragraph: drop its <p>
    const html = inner.length >= 1 && inner[0].startsWith("<p>") && !body.includes("") ? inner[0].slice(3, -4) + inner.slice(1).join("\n") : inner.join("\n");
    return `<li>${html}</li>`;
  });
  return [`<${tag}${ordered && start0 !== 1 ? ` start="${start0}"` : ""}>${lis.join("")}</${tag}>`, i];
}

function leading(line: string): number {
  return /^\s*/.exec(line)![0].length;
}
