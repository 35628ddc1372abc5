/**
 * The charts in a real browser: headless Chromium loads a page served from
 * 127.0.0.1 that includes vega, vega-lite and vega-embed from node_modules
 * and embeds our specs, as JupyterLab's renderer does. The histogram's
 * flame graph and table screenshots go to docs/images/ with
 * IBCC_UPDATE_SCREENSHOTS=1 (test/support/screenshots.ts), else to a temp folder.
 */
import { createServer, type Server } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { CHROMIUM, launchChromium } from "../browser/chromium.js";
import { screenshotPath } from "../support/screenshots.js";
import { flameGraphSpec, histogramSpec, table, type HistogramData } from "../../kernel/display/index.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const SCRIPTS: Record<string, string> = {
  "/vega.js": "node_modules/vega/build/vega.min.js",
  "/vega-lite.js": "node_modules/vega-lite/build/vega-lite.min.js",
  "/vega-embed.js": "node_modules/vega-embed/build/vega-embed.min.js",
};

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.log(`skipping browser rendering: ${CHROMIUM} is missing (Debian package chromium)`);

const specs = new Map<string, unknown>();
const htmlPages = new Map<string, string>();

function page(id: string): string {
  return `<!doctype html><html><head><meta charset="utf-8">
<script src="/vega.js"></script><script src="/vega-lite.js"></script><script src="/vega-embed.js"></script>
</head><body style="margin:0;background:white"><div id="vis" style="display:inline-block"></div>
<script>
fetch("/spec/${id}").then((r) => r.json())
  .then((spec) => vegaEmbed("#vis", spec, { renderer: "svg", actions: false }))
  .then(() => { window.__done = true; })
  .catch((e) => { window.__error = String(e && e.stack || e); });
</script></body></html>`;
}

let server: Server;
let base = "";
let browser: Browser;

beforeAll(async () => {
  if (!haveChromium) return;
  server = createServer((req, res) => {
    const url = req.url ?? "/";
    if (SCRIPTS[url]) {
      res.writeHead(200, { "content-type": "text/javascript" }).end(readFileSync(join(ROOT, SCRIPTS[url])));
    } else if (url.startsWith("/html/") && htmlPages.has(url.slice(6))) {
      const body = htmlPages.get(url.slice(6));
      res.writeHead(200, { "content-type": "text/html" }).end(`<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:0;font-family:sans-serif"><div id="out" style="display:inline-block;padding:4px">${body}</div></body></html>`);
    } else if (url.startsWith("/page/")) {
      res.writeHead(200, { "content-type": "text/html" }).end(page(url.slice(6)));
    } else if (url.startsWith("/spec/") && specs.has(url.slice(6))) {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(specs.get(url.slice(6))));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

/** Embeds a spec and returns the page, once vega-embed has drawn it. */
async function embed(id: string, spec: unknown) {
  specs.set(id, spec);
  const p = await browser.newPage({ viewport: { width: 1000, height: 800 } });
  const errors: string[] = [];
  p.on("pageerror", (e) => errors.push(String(e)));
  await p.goto(`${base}/page/${id}`);
  await p.waitForFunction(() => (window as unknown as { __done?: boolean; __error?: string }).__done || (window as unknown as { __error?: string }).__error, undefined, { timeout: 30_000 });
  const error = await p.evaluate(() => (window as unknown as { __error?: string }).__error);
  expect(error ?? null).toBeNull();
  expect(errors).toEqual([]);
  return p;
}

const readLatency: HistogramData = {
  kind: "log2",
  unit: "usecs",
  buckets: [0, 0, 3, 41, 260, 1130, 2877, 3921, 2410, 812, 154, 37, 9, 0, 2].map((count, index) => ({ index, count })),
};

describe.skipIf(!haveChromium)("charts in headless Chromium", () => {
  it("draws the histogram's bars and saves a screenshot", async () => {
    const p = await embed("histogram", histogramSpec(readLatency, { title: "vfs_read latency" }));
    const bars = await p.locator("#vis svg g.mark-rect.role-mark path").count();
    expect(bars).toBe(14);
    const labels = await p.locator("#vis svg .role-axis-label text").allTextContents();
    expect(labels).toContain("1024 -> 2047");
    const out = screenshotPath("histogram.png");
    await p.locator("#vis").screenshot({ path: out });
    console.log(`browser drew ${bars} bars; screenshot saved to ${out}`);
    await p.close();
  });

  it("draws the flame graph's frames from its Vega spec", async () => {
    const spec = flameGraphSpec([
      { stack: ["entry_SYSCALL_64", "do_syscall_64", "ksys_read", "vfs_read"], count: 20 },
      { stack: ["entry_SYSCALL_64", "do_syscall_64", "ksys_write"], count: 9 },
      { stack: ["start_kernel", "do_idle"], count: 30 },
    ]);
    const p = await embed("flamegraph", spec);
    // all, entry, do_syscall, ksys_read, vfs_read, ksys_write, start_kernel, do_idle
    expect(await p.locator("#vis svg g.mark-rect.role-mark path").count()).toBe(8);
    await p.locator("#vis").screenshot({ path: screenshotPath("flamegraph.png") });
    await p.close();
  });

  it("shows a table's HTML as a table, with hostile cells inert", async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => [{ pid: 1000 + i, comm: `worker/${i % 16}` }, BigInt((i * 7919) % 5003)] as const);
    htmlPages.set("table", String(table(rows, { top: 10, title: "read() calls by process" }).data["text/html"]));
    const hostile = [...rows, [{ pid: 1, comm: '<img src=x onerror="window.__pwned=1">' }, 1_000_000n] as const];
    htmlPages.set("hostile", String(table(hostile, { top: 3 }).data["text/html"]));

    const p = await browser.newPage({ viewport: { width: 800, height: 600 } });
    await p.goto(`${base}/html/table`);
    expect(await p.locator("#out tbody tr").count()).toBe(10);
    expect(await p.locator("#out tfoot").textContent()).toContain("4,990 more rows (5,000 in all), their value summing to");
    await p.locator("#out").screenshot({ path: screenshotPath("table.png") });

    await p.goto(`${base}/html/hostile`);
    expect(await p.locator("#out tbody tr").first().textContent()).toContain("onerror");
    expect(await p.locator("#out img").count()).toBe(0);
    expect(await p.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await p.close();
  });
});
