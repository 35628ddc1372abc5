/**
 * `ibcc export [--execute] NOTEBOOK.ipynb [-o OUT.html]`: writes one
 * self-contained HTML page of an executed notebook (default: the notebook's
 * name with .html), with vega, vega-lite and vega-embed inlined so its charts
 * work offline. `--execute` runs the notebook first (execute.ts); a notebook
 * never run is exported as it is, with a warning on stderr and in the page.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { executeNotebook } from "./execute.js";
import { NOT_RUN_NOTE, notebookToHtml, neverRun, type ChartScripts, type NbDocument } from "./html.js";

const USAGE =
  "usage: ibcc export [--execute] NOTEBOOK.ipynb [-o OUT.html]\n" +
  "  --execute   run the notebook first (Debian's nbclient, the installed ibcc kernel), then export;\n" +
  "              the notebook file is left as it was\n";

/** The browser builds of the chart libraries, from node_modules. */
export function chartScripts(): ChartScripts {
  const require = createRequire(import.meta.url);
  // Each package's main file sits in its build/ directory beside the browser
  // bundle; the packages' "exports" maps hide the bundles from resolve().
  const read = (pkg: string, file: string) => readFileSync(join(dirname(require.resolve(pkg)), file), "utf8");
  return {
    vega: read("vega", "vega.min.js"),
    vegaLite: read("vega-lite", "vega-lite.min.js"),
    vegaEmbed: read("vega-embed", "vega-embed.min.js"),
  };
}

export function readNotebook(notebookPath: string): NbDocument {
  const nb = JSON.parse(readFileSync(notebookPath, "utf8")) as NbDocument;
  if (!Array.isArray(nb.cells)) throw new Error(`${notebookPath} is not a notebook (nbformat 4): it has no cells`);
  return nb;
}

export function exportHtml(notebookPath: string, nb = readNotebook(notebookPath)): string {
  return notebookToHtml(nb, chartScripts(), basename(notebookPath));
}

export async function exportNotebook(argv: string[]): Promise<number> {
  let input: string | undefined;
  let output: string | undefined;
  let execute = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-o" || a === "--output") output = argv[++i];
    else if (a.startsWith("--output=")) output = a.slice("--output=".length);
    else if (a === "--execute") execute = true;
    else if (a === "-h" || a === "--help") {
      process.stdout.write(USAGE);
      return 0;
    } else if (!input && !a.startsWith("-")) input = a;
    else {
      process.stderr.write(`ibcc export: unexpected argument "${a}"\n${USAGE}`);
      return 2;
    }
  }
  if (!input || (output !== undefined && output === "")) {
    process.stderr.write(USAGE);
    return 2;
  }
  const out = output ?? input.replace(/\.ipynb$/i, "") + ".html";
  try {
    let nb = readNotebook(input);
    if (execute) {
      process.stdout.write(`ibcc export: running ${input} with the ibcc kernel\n`);
      nb = await executeNotebook(input);
    } else if (neverRun(nb)) {
      process.stderr.write(`ibcc export: warning: ${NOT_RUN_NOTE.replace("NOTEBOOK", input)}\n`);
    }
    const html = exportHtml(input, nb);
    writeFileSync(out, html);
    process.stdout.write(`ibcc export: wrote ${out} (${Math.round(html.length / 1024)} KiB)\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`ibcc export: ${(e as Error).message}\n`);
    return 1;
  }
}
