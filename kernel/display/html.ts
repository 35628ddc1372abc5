/** HTML pieces for tables: escaping and one table builder for every table view. */

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

export interface HtmlTable {
  caption?: string;
  columns: string[];
  /** Cell text (already formatted), row by row. */
  rows: string[][];
  /** Columns whose cells align right (numbers). */
  numeric: boolean[];
  /** A last row spanning all columns (the "… more rows" summary). */
  footer?: string;
  /** Class of the first column's cells when it names the row (key/value lists). */
  headerColumn?: boolean;
}

// Padding inline too, so the table reads well where no notebook CSS applies (nbconvert, plain HTML).
const RIGHT = ' style="text-align:right;padding:2px 8px"';
const LEFT = ' style="text-align:left;padding:2px 8px"';

/** A plain <table>: escaped, numbers right-aligned, styled by the front end's own CSS. */
export function htmlTable(t: HtmlTable): string {
  const out: string[] = ['<table class="ibcc-table">'];
  if (t.caption) out.push(`<caption style="text-align:left">${escapeHtml(t.caption)}</caption>`);
  if (t.columns.length) {
    out.push("<thead><tr>");
    t.columns.forEach((c, i) => out.push(`<th${t.numeric[i] ? RIGHT : LEFT}>${escapeHtml(c)}</th>`));
    out.push("</tr></thead>");
  }
  out.push("<tbody>");
  for (const row of t.rows) {
    out.push("<tr>");
    row.forEach((cell, i) => {
      const tag = t.headerColumn && i === 0 ? "th" : "td";
      out.push(`<${tag}${t.numeric[i] ? RIGHT : LEFT}>${escapeHtml(cell)}</${tag}>`);
    });
    out.push("</tr>");
  }
  out.push("</tbody>");
  if (t.footer !== undefined) {
    out.push(`<tfoot><tr><td colspan="${Math.max(1, t.columns.length)}"${LEFT}><em>${escapeHtml(t.footer)}</em></td></tr></tfoot>`);
  }
  out.push("</table>");
  return out.join("");
}
