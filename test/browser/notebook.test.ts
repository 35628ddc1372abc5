/**
 * `ibcc start` as a person uses it: the server comes up on a free port, headless
 * Chromium opens the histograms notebook (bitehist) in Jupyter Notebook, runs
 * all cells against the real kernel, and finds the drawn chart. The notebooks
 * it opens are the course's working copy (here in the test's temp folder), so
 * the checkout's notebooks/ stay as they are. The screenshot of that cell is
 * the README's docs/images/notebook-bitehist.png when IBCC_UPDATE_SCREENSHOTS=1.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { launchChromium } from "./chromium.js";
import { screenshotPath } from "../support/screenshots.js";

const root = resolve(import.meta.dirname, "../..");
const startJs = join(root, "dist/kernel/start.js");
const pluginMissing = !existsSync(join(root, "magics/plugin.ts"));
const NOTEBOOK = "04-histograms.ipynb";

if (pluginMissing) console.log("browser: skipping: the kernel's BPF plugin (magics/plugin.ts) is absent, so the bitehist notebook cannot run");

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.on("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

let server: ChildProcess | undefined;
let work = "";

/** Stops the server the way a person does, with Ctrl-C (SIGINT), and waits for it to exit. */
function stopServer(): Promise<number | null> {
  const s = server;
  server = undefined;
  if (!s || s.exitCode !== null) return Promise.resolve(s?.exitCode ?? null);
  return new Promise((done) => {
    const killer = setTimeout(() => s.kill("SIGKILL"), 15_000);
    s.on("exit", (code) => {
      clearTimeout(killer);
      done(code);
    });
    s.kill("SIGINT");
  });
}

afterAll(async () => {
  await stopServer();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("ibcc start in a browser", () => {
  it.skipIf(pluginMissing)("runs the bitehist notebook in Jupyter Notebook and draws its chart", { timeout: 240_000 }, async () => {
    work = mkdtempSync(join(tmpdir(), "ibcc-browser-"));
    const port = await freePort();
    const env = {
      ...process.env,
      JUPYTER_DATA_DIR: join(work, "data"),
      JUPYTER_CONFIG_DIR: join(work, "config"),
      JUPYTER_RUNTIME_DIR: join(work, "runtime"),
      IBCC_COURSE_DIR: join(work, "course"),
    };
    const checkoutCopy = readFileSync(join(root, "notebooks", NOTEBOOK), "utf8");
    const t0 = Date.now();
    server = spawn(
      process.execPath,
      ["--input-type=module", "-e", `const { start } = await import(${JSON.stringify(startJs)}); process.exitCode = await start(process.argv.slice(1));`, "--", "--port", String(port)],
      { env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    server.stderr!.on("data", (d) => (err += d));
    const url = await new Promise<string>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`no URL from ibcc start within 60 s:\n${out}\n${err.slice(-2000)}`)), 60_000);
      server!.stdout!.on("data", (d) => {
        out += d;
        const m = /running at (http:\/\/127\.0\.0\.1:\d+\/\S*\?token=\w+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          done(m[1]);
        }
      });
      server!.on("exit", (code) => fail(new Error(`ibcc start exited ${code}:\n${out}\n${err.slice(-2000)}`)));
    });
    expect(url).toContain(`127.0.0.1:${port}`);
    expect(existsSync(join(work, "data/kernels/ibcc/kernel.json"))).toBe(true);
    expect(out).toContain(`the course is copied to ${join(work, "course")}`);
    expect(existsSync(join(work, "course", NOTEBOOK))).toBe(true);
    console.log(`browser: server up in ${Date.now() - t0} ms at ${url.replace(/token=\w+/, "token=...")}`);

    const token = new URL(url).searchParams.get("token")!;
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      await page.goto(`http://127.0.0.1:${port}/notebooks/${NOTEBOOK}?token=${token}`);
      await page.waitForFunction(
        () => {
          const J = (window as any).Jupyter;
          return J?.notebook?.kernel?.is_connected?.() && J.notebook.kernel.info_reply?.status === "ok";
        },
        undefined,
        { timeout: 60_000 },
      );
      const t1 = Date.now();
      await page.evaluate(() => (window as any).Jupyter.notebook.execute_all_cells());
      await page.waitForFunction(
        () => {
          const cells = (window as any).Jupyter.notebook.get_cells().filter((c: any) => c.cell_type === "code");
          return cells.every((c: any) => typeof c.input_prompt_number === "number");
        },
        undefined,
        { timeout: 180_000, polling: 500 },
      );
      console.log(`browser: all cells ran in ${Date.now() - t1} ms`);
      const errors = await page.locator(".output_error").count();
      expect(errors).toBe(0);

      // The bitehist cell: its chart, as Jupyter Notebook draws it (the SVG of the bundle).
      const cell = page.locator(".cell.code_cell", { hasText: 'bitehist.table("dist").histogram' }).first();
      const chart = cell.locator(".output_svg svg, .output_png img").first();
      await chart.waitFor({ timeout: 20_000 });
      const bars = await cell.locator(".output_svg svg path, .output_svg svg rect").count();
      expect(bars).toBeGreaterThan(0);
      await expect(cell.locator(".output_text, .output_subarea").first().innerText()).resolves.toBeTruthy();
      await cell.scrollIntoViewIfNeeded();
      const shot = screenshotPath("notebook-bitehist.png");
      await cell.screenshot({ path: shot });
      console.log(`browser: chart found (${bars} svg shapes); screenshot ${shot}`);
      // Saved with its outputs, as a person's Ctrl-S does: into the working copy, never the checkout.
      await page.evaluate(() => (window as any).Jupyter.notebook.save_notebook());
      await page.waitForFunction(() => !(window as any).Jupyter.notebook.dirty, undefined, { timeout: 20_000 });
      // Let the kernel go before the server stops.
      await page.evaluate(() => (window as any).Jupyter.notebook.session.delete());
    } finally {
      await browser.close();
    }
    const code = await stopServer();
    expect(code).toBe(0);
    expect(out).toMatch(/Jupyter Notebook stopped/);
    expect(readFileSync(join(work, "course", NOTEBOOK), "utf8")).toMatch(/"output_type"/);
    expect(readFileSync(join(root, "notebooks", NOTEBOOK), "utf8")).toBe(checkoutCopy);
  });
});
