/**
 * The kernel under jupyter_client itself (Debian's python3-jupyter-client): a
 * kernelspec installed with `ibcc install --prefix`, KernelManager and
 * BlockingKernelClient driving every message type, each message validated
 * against the spec by the Python driver.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CLI, ROOT } from "../support/kernel-client.js";

const dir = mkdtempSync(join(tmpdir(), "ibcc-jc-"));
const env = { ...process.env, JUPYTER_PATH: join(dir, "share/jupyter"), IBCC_DATA_DIR: join(dir, "data"), JUPYTER_RUNTIME_DIR: join(dir, "runtime") };

beforeAll(() => {
  execFileSync(process.execPath, [CLI, "install", "--prefix", dir]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("passes every check of the jupyter_client driver", () => {
  const r = spawnSync("/usr/bin/python3", [join(ROOT, "test/kernel/jupyter_client_driver.py")], { env, encoding: "utf8", timeout: 240_000 });
  if (r.status !== 0) throw new Error(`driver failed (${r.status}):\n${r.stderr}`);
  const report = JSON.parse(r.stdout.trim().split("\n").pop()!);
  console.log(`jupyter_client figures: ${JSON.stringify(report.figures)}`);
  expect(report.problems).toEqual([]);
  for (const t of ["kernel_info_reply", "execute_reply", "complete_reply", "inspect_reply", "is_complete_reply", "history_reply", "comm_info_reply", "input_request", "stream", "display_data", "update_display_data", "clear_output", "execute_result", "error", "comm_close", "execute_input", "status"]) {
    expect(report.seen).toContain(t);
  }
}, 300_000);
