/**
 * Real front ends on the installed kernelspec: `jupyter console` in simple-prompt
 * mode fed a cell on stdin, and nbclient executing a notebook with display,
 * update_display and error cells (allow_errors).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CLI, ROOT } from "../support/kernel-client.js";

const dir = mkdtempSync(join(tmpdir(), "ibcc-fe-"));
const env = { ...process.env, JUPYTER_PATH: join(dir, "share/jupyter"), IBCC_DATA_DIR: join(dir, "data"), JUPYTER_RUNTIME_DIR: join(dir, "runtime") };

beforeAll(() => {
  execFileSync(process.execPath, [CLI, "install", "--prefix", dir]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("runs a cell fed to jupyter console --simple-prompt", () => {
  const r = spawnSync(
    "jupyter",
    ["console", "--kernel", "ibcc", "--simple-prompt", "--ZMQTerminalInteractiveShell.confirm_exit=False"],
    { env, input: 'console.log("from console", 6 * 7)\n', encoding: "utf8", timeout: 120_000 },
  );
  expect(r.stdout + r.stderr).toContain("from console 42");
  expect(r.status).toBe(0);
}, 150_000);

it("executes a notebook with display, update_display and error cells under nbclient", () => {
  const r = spawnSync("/usr/bin/python3", [join(ROOT, "test/kernel/nbclient_driver.py")], { env, encoding: "utf8", timeout: 150_000 });
  if (r.status !== 0) throw new Error(`nbclient failed (${r.status}):\n${r.stderr}`);
  const nb = JSON.parse(r.stdout.trim().split("\n").pop()!);
  expect(nb.language).toBe("typescript");
  const [log, html, updated, failed, after] = nb.cells;
  expect(log.outputs).toEqual([{ output_type: "stream", name: "stdout", text: "hello from nbclient\n" }]);
  expect(html.outputs[0].output_type).toBe("display_data");
  expect(html.outputs[0].data["text/html"]).toContain("<b>bold</b>");
  // nbclient applies update_display_data in place: one output, showing "after".
  expect(updated.outputs.length).toBe(1);
  expect(updated.outputs[0].data["text/plain"]).toContain("after");
  expect(failed.outputs[0]).toMatchObject({ output_type: "error", ename: "RangeError", evalue: "on purpose" });
  expect(after.outputs[0]).toMatchObject({ output_type: "execute_result", data: { "text/plain": expect.stringContaining("still running 42") } });
  expect(nb.cells.map((c: { count: number }) => c.count)).toEqual([1, 2, 3, 4, 5]);
}, 180_000);
