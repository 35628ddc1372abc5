/**
 * Runs every course notebook through Debian's nbclient against the real ibcc
 * kernel (real BPF programs, real workloads) and checks each cell's outputs
 * against the expectations in its metadata (see expect.ts). Prints how long
 * each notebook took and what the executed notebook records about where it ran.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkNotebook, provenance, VEGALITE, type Notebook } from "./expect.js";
import { exportHtml } from "../../kernel/export/index.js";

const root = resolve(import.meta.dirname, "../..");
const notebooksDir = join(root, "notebooks");
const cli = join(root, "dist/kernel/cli.js");
const pluginSource = join(root, "magics/plugin.ts");
const python = "/usr/bin/python3";

// IBCC_NOTEBOOKS=01,04 runs only the notebooks whose names start with those prefixes.
const only = (process.env.IBCC_NOTEBOOKS ?? "").split(",").filter(Boolean);
const notebooks = readdirSync(notebooksDir)
  .filter((f) => f.endsWith(".ipynb") && (only.length === 0 || only.some((p) => f.startsWith(p))))
  .sort();
const pluginMissing = !existsSync(pluginSource);
if (pluginMissing) {
  console.log(`notebooks: skipping all ${notebooks.length} notebooks: the kernel's BPF plugin (magics/plugin.ts) is absent, so no %%bpf cell can run`);
}

const times: Array<[string, number, string]> = [];

/** Runs Debian's python without blocking the test worker (vitest's RPC needs the event loop). */
function runPython(args: string[], timeoutMs: number): Promise<{ status: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(python, args, { env, cwd: notebooksDir, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stderr });
    });
  });
}
let work = "";
let env: NodeJS.ProcessEnv = {};

beforeAll(() => {
  if (pluginMissing) return;
  work = mkdtempSync(join(tmpdir(), "ibcc-nbtest-"));
  const inst = spawnSync(process.execPath, [cli, "install", "--prefix", work], { encoding: "utf8" });
  if (inst.status !== 0) throw new Error(`kernelspec install failed: ${inst.stderr}${inst.stdout}`);
  // Only the temporary kernelspec: nothing of the user's Jupyter set-up takes part.
  env = {
    ...process.env,
    JUPYTER_PATH: join(work, "share", "jupyter"),
    JUPYTER_CONFIG_DIR: join(work, "config"),
    JUPYTER_RUNTIME_DIR: join(work, "runtime"),
    JUPYTER_DATA_DIR: join(work, "data"),
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
  };
});

afterAll(() => {
  if (times.length) {
    const total = times.reduce((s, [, t]) => s + t, 0);
    console.log(
      "notebook times:\n" +
        times.map(([n, t, status]) => `  ${n.padEnd(36)} ${t.toFixed(1).padStart(6)} s  ${status}`).join("\n") +
        `\n  ${"total".padEnd(36)} ${total.toFixed(1).padStart(6)} s`,
    );
  }
  if (work) rmSync(work, { recursive: true, force: true });
  // A notebook that failed half-way leaves its workload behind: its network
  // namespace (ibcc-nbNN) and its scratch directory (/tmp/ibcc-nbNN).
  const netns = spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout ?? "";
  for (const name of netns.split("\n").map((l) => l.split(" ")[0]).filter((n) => /^ibcc-nb\d+$/.test(n))) {
    spawnSync("ip", ["netns", "del", name]);
  }
  for (const d of readdirSync(tmpdir()).filter((n) => /^ibcc-nb\d+$/.test(n))) rmSync(join(tmpdir(), d), { recursive: true, force: true });
  // ...and the loop device of its own disk (/var/tmp/ibcc-nbNN-PID.img), once that kernel (PID) is gone.
  const alive = (pid: number) => existsSync(`/proc/${pid}`);
  const loops = spawnSync("losetup", ["--json", "--list", "--output", "NAME,BACK-FILE"], { encoding: "utf8" }).stdout || '{"loopdevices":[]}';
  for (const l of (JSON.parse(loops).loopdevices ?? []) as Array<{ name: string; "back-file": string | null }>) {
    const m = /\/var\/tmp\/ibcc-nb\d+-(\d+)\.img/.exec(l["back-file"] ?? "");
    if (m && !alive(Number(m[1]))) spawnSync("losetup", ["--detach", l.name]);
  }
  for (const f of readdirSync("/var/tmp").filter((n) => /^ibcc-nb\d+-\d+\.img$/.test(n))) {
    if (!alive(Number(/-(\d+)\.img$/.exec(f)![1]))) rmSync(join("/var/tmp", f), { force: true });
  }
});

describe("course notebooks run unattended under nbclient", () => {
  for (const name of notebooks) {
    it.skipIf(pluginMissing)(name, { timeout: 240_000 }, async () => {
      const out = join(work, name);
      const started = Date.now();
      const run = await runPython([join(import.meta.dirname, "run_notebook.py"), join(notebooksDir, name), out], 230_000);
      const seconds = (Date.now() - started) / 1000;
      const problems: string[] = [];
      if (run.status !== 0) problems.push(`nbclient exited ${run.status ?? run.signal}: ${run.stderr.slice(-3000)}`);
      let nb: Notebook | undefined;
      if (existsSync(out)) {
        nb = JSON.parse(readFileSync(out, "utf8")) as Notebook;
        problems.push(...checkNotebook(nb));
        console.log(`${name}: recorded provenance ${JSON.stringify(provenance(nb))}`);
        // Where it ran travels with the notebook: language_info.ibcc from kernel_info.
        const where = (nb.metadata.language_info as { ibcc?: Record<string, string> } | undefined)?.ibcc ?? {};
        for (const key of ["version", "kernel_release", "libbcc_version"])
          if (!where[key]) problems.push(`metadata.language_info.ibcc.${key} is missing: ${JSON.stringify(where)}`);
        // The executed notebook exports to one page, with a live chart per Vega-Lite output.
        const charts = nb.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data && VEGALITE in o.data).length;
        const html = exportHtml(out);
        const specs = html.split('class="ibcc-chart-spec"').length - 1;
        if (specs < charts) problems.push(`export: ${charts} Vega-Lite outputs but ${specs} chart specs in the page`);
      } else problems.push("no executed notebook was written");
      times.push([name, seconds, problems.length ? `FAILED (${problems.length})` : "ok"]);
      expect(problems, problems.join("\n")).toEqual([]);
    });
  }
});
