/**
 * `ibcc export`: an executed notebook becomes one HTML file whose Vega-Lite
 * chart draws in headless Chromium with every network request refused.
 * The notebook is made here from the display layer's real histogram bundle.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { histogram } from "../../kernel/display/histogram.js";
import { exportNotebook } from "../../kernel/export/index.js";
import { markdownToHtml } from "../../kernel/export/markdown.js";
import { launchChromium } from "../browser/chromium.js";

const work = mkdtempSync(join(tmpdir(), "ibcc-export-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function fixture(): Promise<string> {
  const chart = await histogram(
    { kind: "log2", unit: "kbytes", buckets: [{ index: 3, count: 200 }, { index: 7, count: 50 }, { index: 9, count: 20 }] },
    { title: "block I/O size" },
  );
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "ibcc", display_name: "ibcc", language: "typescript" }, language_info: { name: "typescript" } },
    cells: [
      { cell_type: "markdown", id: "a", metadata: {}, source: ["# Block I/O sizes\n", "\n", "The `dd` writes **land** in three buckets:\n", "\n", "| size | count |\n", "| --- | --- |\n", "| 4K | 200 |\n", "\n", "<script>window.injected = 1</script>\n"] },
      {
        cell_type: "code", id: "b", metadata: {}, execution_count: 3, source: ["%%bpf bitehist\n", "BPF_HISTOGRAM(dist);"],
        outputs: [
          { output_type: "stream", name: "stdout", text: ["attached tracepoint block:block_rq_issue\n"] },
          { output_type: "display_data", data: chart.data, metadata: chart.metadata ?? {} },
          { output_type: "error", ename: "MissingHook", evalue: "no kprobes", traceback: ["\u001b[31mthis kernel lacks kprobes\u001b[0m; use tracepoint sched:sched_process_fork"] },
        ],
      },
    ],
  };
  const path = join(work, "bitehist.ipynb");
  writeFileSync(path, JSON.stringify(nb));
  return path;
}

describe("ibcc export", () => {
  it("renders Markdown the course uses, escaping raw HTML", () => {
    const html = markdownToHtml("## Title `x`\n\n- one\n- **two** [link](c/readlat.c)\n\n```c\nint x = a < b;\n```\n\n<b>raw</b>");
    expect(html).toContain('<h2 id="title-x">Title <code>x</code></h2>');
    expect(html).toContain("<li><strong>two</strong> <a href=\"c/readlat.c\">link</a></li>");
    expect(html).toContain('<pre><code class="language-c">int x = a &lt; b;</code></pre>');
    expect(html).toContain("&lt;b&gt;raw&lt;/b&gt;");
  });

  it("writes one self-contained HTML file whose chart draws offline in Chromium", { timeout: 60_000 }, async () => {
    const nbPath = await fixture();
    const out = join(work, "out.html");
    expect(await exportNotebook([nbPath, "-o", out])).toBe(0);
    expect(existsSync(out)).toBe(true);
    const html = readFileSync(out, "utf8");
    // no external resource: every src/href is inline, a fragment or relative
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+href=/i);
    console.log(`export: ${Math.round(html.length / 1024)} KiB`);

    const browser = await launchChromium();
    const blocked: string[] = [];
    try {
      const page = await browser.newPage();
      await page.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
        blocked.push(url);
        return route.abort();
      });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(pathToFileURL(out).href);
      await page.waitForSelector(".chart[data-rendered=true] svg", { timeout: 20_000 });
      const bars = await page.locator(".chart-live svg .mark-rect path").count();
      expect(bars).toBeGreaterThan(0);
      expect(await page.locator(".chart-fallback").count()).toBe(0);
      expect(await page.locator("h1").innerText()).toBe("Block I/O sizes");
      expect(await page.locator(".markdown table td").first().innerText()).toBe("4K");
      expect(await page.locator("pre.error .ansi-red").innerText()).toBe("this kernel lacks kprobes");
      expect(await page.evaluate(() => (window as unknown as { injected?: number }).injected)).toBeUndefined();
      expect(errors).toEqual([]);
      console.log(`export: chart drew ${bars} bar paths; blocked requests: ${blocked.length ? blocked.join(", ") : "none"}`);
    } finally {
      await browser.close();
    }
  });

  it("fails clearly on a file that is not a notebook", async () => {
    const bad = join(work, "bad.ipynb");
    writeFileSync(bad, "{}");
    expect(await exportNotebook([bad])).toBe(1);
    expect(await exportNotebook([])).toBe(2);
  });
});
