#!/usr/bin/env node
// Builds notebooks/*.ipynb from notebooks/src/*.md, so the course is edited as
// readable text while the committed notebooks stay what Jupyter opens.
//
// Source format: prose is Markdown. A fenced block whose info string starts with
// `ibcc` becomes a code cell; anything after `ibcc` on that line is JSON merged
// into the cell's metadata ({"tags": [...], "ibcc": {"expect": [...]}}). Other
// fenced blocks (```c, ```python, ```text) stay in the Markdown. A line holding
// only `<!-- cell -->` splits prose into separate Markdown cells.
//
//   node notebooks/tools/build.mjs          write every notebook
//   node notebooks/tools/build.mjs --check  exit 1 when a notebook is stale
import { readFileSync, writeFileSync, readdirSync, existsSync } from "node:fs";
import { dirname, join, basename } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const srcDir = join(root, "src");

/** Splits one source file into cells. */
export function parseSource(text, slug) {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  const cells = [];
  let prose = [];
  const flushProse = () => {
    const body = trimBlank(prose);
    if (body.length) cells.push({ cell_type: "markdown", source: body.join("\n"), metadata: {} });
    prose = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const code = /^```ibcc\b(.*)$/.exec(line);
    if (code) {
      flushProse();
      const metaText = code[1].trim();
      let metadata = {};
      if (metaText) {
        try {
          metadata = JSON.parse(metaText);
        } catch (e) {
          throw new Error(`${slug}:${i + 1}: bad cell metadata JSON: ${e.message}`);
        }
      }
      const body = [];
      for (i++; i < lines.length && lines[i] !== "```"; i++) body.push(lines[i]);
      if (i >= lines.length) throw new Error(`${slug}:${i}: unclosed ibcc block`);
      cells.push({ cell_type: "code", source: body.join("\n"), metadata });
      continue;
    }
    if (line.trim() === "<!-- cell -->") {
      flushProse();
      continue;
    }
    const fence = /^(```+)/.exec(line);
    if (fence) {
      // Copy a non-executed fenced block verbatim, so a `<!-- cell -->` or
      // ```ibcc inside it is never read as structure.
      prose.push(line);
      for (i++; i < lines.length; i++) {
        prose.push(lines[i]);
        if (lines[i].startsWith(fence[1]) && lines[i].trim() === fence[1]) break;
      }
      continue;
    }
    prose.push(line);
  }
  flushProse();
  return cells;
}

function trimBlank(lines) {
  let a = 0, b = lines.length;
  while (a < b && lines[a].trim() === "") a++;
  while (b > a && lines[b - 1].trim() === "") b--;
  return lines.slice(a, b);
}

/** Jupyter stores source as a list of lines, each but the last ending in "\n". */
function toLines(text) {
  const parts = text.split("\n");
  return parts.map((p, i) => (i < parts.length - 1 ? p + "\n" : p)).filter((p) => p !== "");
}

export function toNotebook(cells, slug) {
  return {
    cells: cells.map((c, i) => {
      const id = `${slug}-${String(i).padStart(2, "0")}`.slice(-64);
      const base = { cell_type: c.cell_type, id, metadata: c.metadata, source: toLines(c.source) };
      return c.cell_type === "code" ? { ...base, execution_count: null, outputs: [] } : base;
    }),
    metadata: {
      kernelspec: { display_name: "ibcc (TypeScript + BPF)", language: "typescript", name: "ibcc" },
      language_info: { name: "typescript", file_extension: ".ts", mimetype: "text/typescript" },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

function render(name) {
  const slug = basename(name, ".md").replace(/[^A-Za-z0-9_-]/g, "-");
  const text = readFileSync(join(srcDir, name), "utf8");
  return JSON.stringify(toNotebook(parseSource(text, slug), slug), null, 1) + "\n";
}

function main() {
  const check = process.argv.includes("--check");
  const stale = [];
  for (const name of readdirSync(srcDir).filter((n) => n.endsWith(".md")).sort()) {
    const out = join(root, basename(name, ".md") + ".ipynb");
    const json = render(name);
    const old = existsSync(out) ? readFileSync(out, "utf8") : "";
    if (old === json) continue;
    if (check) stale.push(basename(out));
    else {
      writeFileSync(out, json);
      console.log(`wrote notebooks/${basename(out)}`);
    }
  }
  if (stale.length) {
    console.error(`stale notebooks (run node notebooks/tools/build.mjs): ${stale.join(", ")}`);
    process.exit(1);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
