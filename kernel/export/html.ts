/**
 * An executed notebook as one self-contained HTML page: Markdown cells as HTML,
 * code cells with their outputs (streams, errors, tables, images), and
 * Vega-Lite charts drawn live by vega-embed from scripts inlined in the page,
 * so the charts stay interactive with no network. The server-rendered SVG or
 * PNG of each chart stays in the page until the live chart replaces it.
 */
import { escapeHtml, markdownToHtml } from "./markdown.js";
import { ansiToHtml } from "./ansi.js";

export interface NbOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
  execution_count?: number | null;
}

export interface NbCell {
  cell_type: string;
  source: string | string[];
  metadata?: Record<string, unknown>;
  outputs?: NbOutput[];
  execution_count?: number | null;
  attachments?: Record<string, Record<string, string>>;
}

export interface NbDocument {
  cells: NbCell[];
  metadata?: Record<string, unknown>;
  nbformat?: number;
}

/** The JavaScript of vega, vega-lite and vega-embed, in that order. */
export interface ChartScripts {
  vega: string;
  vegaLite: string;
  vegaEmbed: string;
}

export const VEGALITE_MIME = "application/vnd.vegalite.v5+json";
const VEGA_MIME = "application/vnd.vega.v5+json";

const text = (t: string | string[] | undefined) => (Array.isArray(t) ? t.join("") : (t ?? ""));

/** JSON that may sit inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** JavaScript that may sit inside a <script> element. */
function scriptText(js: string): string {
  return js.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

function imageTag(mime: string, data: string, alt: string): string {
  const b64 = mime === "image/svg+xml" ? Buffer.from(data, "utf8").toString("base64") : data.replace(/\s+/g, "");
  return `<img class="output-image" alt="${escapeHtml(alt)}" src="data:${mime};base64,${b64}">`;
}

let chartCounter = 0;

function richOutput(data: Record<string, unknown>): string {
  const lite = data[VEGALITE_MIME] ?? data[VEGA_MIME];
  if (lite !== undefined) {
    const kind = data[VEGALITE_MIME] !== undefined ? "vega-lite" : "vega";
    const spec = typeof lite === "string" ? JSON.parse(lite) : lite;
    const id = `ibcc-chart-${++chartCounter}`;
    const fallback =
      typeof data["image/svg+xml"] === "string"
        ? imageTag("image/svg+xml", text(data["image/svg+xml"] as string), "chart")
        : typeof data["image/png"] === "string"
          ? imageTag("image/png", data["image/png"] as string, "chart")
          : `<pre>${escapeHtml(text(data["text/plain"] as string | string[]))}</pre>`;
    return (
      `<div class="chart" id="${id}" data-mode="${kind}"><div class="chart-fallback">${fallback}</div></div>` +
      `<script type="application/json" class="ibcc-chart-spec" data-target="${id}">${scriptJson(spec)}</script>`
    );
  }
  if (data["text/html"] !== undefined) return `<div class="html-output">${text(data["text/html"] as string | string[])}</div>`;
  if (data["image/svg+xml"] !== undefined) return imageTag("image/svg+xml", text(data["image/svg+xml"] as string | string[]), "image");
  if (data["image/png"] !== undefined) return imageTag("image/png", text(data["image/png"] as string), "image");
  if (data["image/jpeg"] !== undefined) return imageTag("image/jpeg", text(data["image/jpeg"] as string), "image");
  if (data["text/markdown"] !== undefined) return `<div class="markdown">${markdownToHtml(text(data["text/markdown"] as string | string[]))}</div>`;
  if (data["application/json"] !== undefined) return `<pre class="text">${escapeHtml(JSON.stringify(data["application/json"], null, 2))}</pre>`;
  if (data["text/plain"] !== undefined) return `<pre class="text">${ansiToHtml(text(data["text/plain"] as string | string[]))}</pre>`;
  return "";
}

export function outputToHtml(o: NbOutput): string {
  switch (o.output_type) {
    case "stream":
      return `<pre class="stream ${o.name === "stderr" ? "stderr" : "stdout"}">${ansiToHtml(text(o.text))}</pre>`;
    case "error":
      return `<pre class="error">${ansiToHtml((o.traceback ?? [`${o.ename}: ${o.evalue}`]).join("\n"))}</pre>`;
    case "display_data":
    case "execute_result":
      return richOutput(o.data ?? {});
    default:
      return "";
  }
}

function cellToHtml(cell: NbCell): string {
  const source = text(cell.source);
  if (cell.cell_type === "markdown") return `<section class="cell markdown">${markdownToHtml(source)}</section>`;
  if (cell.cell_type === "raw") return `<section class="cell raw"><pre>${escapeHtml(source)}</pre></section>`;
  const count = cell.execution_count ?? " ";
  const outputs = (cell.outputs ?? []).map(outputToHtml).filter(Boolean);
  return (
    `<section class="cell code"><div class="input"><div class="prompt">In [${count}]:</div>` +
    `<pre class="source"><code>${escapeHtml(source)}</code></pre></div>` +
    (outputs.length ? `<div class="outputs">${outputs.join("\n")}</div>` : "") +
    `</section>`
  );
}

export const NOT_RUN_NOTE =
  "this notebook has not been run: its code cells have no outputs. Run it and save it first, or export with `ibcc export --execute NOTEBOOK`.";

/** Code cells, none of them ever run (no count, no output): the page would show code alone. */
export function neverRun(nb: NbDocument): boolean {
  const code = nb.cells.filter((c) => c.cell_type === "code");
  return code.length > 0 && code.every((c) => c.execution_count == null && !(c.outputs ?? []).length);
}

/** The page's title: the first Markdown heading, else the file name. */
function titleOf(nb: NbDocument, fallback: string): string {
  for (const c of nb.cells) {
    if (c.cell_type !== "markdown") continue;
    const m = /^#{1,6}\s+(.+)$/m.exec(text(c.source));
    if (m) return m[1].replace(/[`*_]/g, "").trim();
  }
  return fallback;
}

/** Where the notebook ran, as the kernel recorded it, for the page's footer. */
function provenance(nb: NbDocument): string {
  const facts: string[] = [];
  const li = nb.metadata?.language_info as Record<string, unknown> | undefined;
  if (li?.name) facts.push(`${li.name}${li.version ? ` ${li.version}` : ""}`);
  for (const cell of nb.cells) {
    for (const o of cell.outputs ?? []) {
      const m = o.metadata?.ibcc as Record<string, unknown> | undefined;
      if (m?.kernelRelease) {
        facts.push(`kernel ${m.kernelRelease}`);
        if (m.libbccVersion) facts.push(`libbcc ${m.libbccVersion}`);
        return facts.join(" · ");
      }
    }
  }
  return facts.join(" · ");
}

const STYLE = `
body { font: 15px/1.55 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1f2328; max-width: 980px; margin: 2em auto; padding: 0 1em; }
h1, h2, h3 { line-height: 1.25; } h1 { border-bottom: 1px solid #d0d7de; padding-bottom: .3em; }
code, pre { font: 13px/1.45 ui-monospace, "DejaVu Sans Mono", monospace; }
:not(pre) > code { background: #f3f4f6; padding: .1em .3em; border-radius: 4px; }
pre { overflow-x: auto; margin: 0; }
/* Output lines wrap, as in Jupyter: a long error or log line stays on the page. */
pre.stream, pre.error, pre.text { white-space: pre-wrap; overflow-wrap: anywhere; }
.not-run { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: .6em .8em; }
.cell { margin: 1em 0; }
.markdown pre { background: #f6f8fa; padding: .8em; border-radius: 6px; }
.input { display: flex; gap: .5em; }
.prompt { color: #57606a; font: 12px ui-monospace, monospace; min-width: 5.5em; text-align: right; padding-top: .6em; }
.source { flex: 1; background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px; padding: .6em .8em; }
.outputs { margin-left: 6em; padding: .4em 0; }
.outputs > * { margin: .3em 0; }
.stderr { background: #fff5f5; }
.error { background: #fff0f0; border-left: 3px solid #cf222e; padding: .5em; }
table { border-collapse: collapse; margin: .5em 0; } th, td { border: 1px solid #d0d7de; padding: .25em .6em; text-align: left; }
th { background: #f6f8fa; } .output-image { max-width: 100%; }
blockquote { margin: 0; padding: 0 1em; color: #57606a; border-left: .25em solid #d0d7de; }
footer { margin-top: 3em; color: #57606a; font-size: 13px; border-top: 1px solid #d0d7de; padding-top: .5em; }
.ansi-bold { font-weight: bold; } .ansi-red { color: #cf222e; } .ansi-green { color: #1a7f37; } .ansi-yellow { color: #9a6700; }
.ansi-blue { color: #0969da; } .ansi-magenta { color: #8250df; } .ansi-cyan { color: #1b7c83; } .ansi-gray { color: #57606a; }
`;

/** Draws every chart whose spec is in the page; a chart that fails keeps its fallback image. */
const BOOT = `
for (const el of document.querySelectorAll("script.ibcc-chart-spec")) {
  const target = document.getElementById(el.dataset.target);
  const spec = JSON.parse(el.textContent);
  const host = document.createElement("div");
  host.className = "chart-live";
  target.appendChild(host);
  vegaEmbed(host, spec, { mode: target.dataset.mode, renderer: "svg", actions: false })
    .then(() => { const f = target.querySelector(".chart-fallback"); if (f) f.remove(); target.dataset.rendered = "true"; })
    .catch((err) => { host.remove(); target.dataset.error = String(err); });
}
`;

export function notebookToHtml(nb: NbDocument, scripts: ChartScripts, name = "notebook"): string {
  chartCounter = 0;
  const body = nb.cells.map(cellToHtml).join("\n");
  const hasCharts = body.includes("ibcc-chart-spec");
  const where = provenance(nb);
  const note = neverRun(nb)
    ? `<p class="not-run" role="note">Note: ${escapeHtml(NOT_RUN_NOTE.replace("NOTEBOOK", name)).replace(/`([^`]+)`/g, "<code>$1</code>")}</p>\n`
    : "";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="ibcc export">
<title>${escapeHtml(titleOf(nb, name))}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${note}${body}
</main>
<footer>Exported from ${escapeHtml(name)} by ibcc${where ? ` · ${escapeHtml(where)}` : ""}.</footer>
${hasCharts ? `<script>${scriptText(scripts.vega)}</script>\n<script>${scriptText(scripts.vegaLite)}</script>\n<script>${scriptText(scripts.vegaEmbed)}</script>\n<script>${BOOT}</script>` : ""}
</body>
</html>
`;
}
