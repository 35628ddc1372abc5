/**
 * A kernel whose launcher dies without a shutdown_request (a killed notebook
 * server, a console at end of input) shuts itself down, as ipykernel does,
 * and what it attached goes with it.
 */
import { execFileSync } from "node:child_process";
import { afterAll, expect, it } from "vitest";
import type { KernelClient } from "../support/kernel-client.js";
import { startKernel } from "./kernel-env.js";

const kernels: KernelClient[] = [];
afterAll(async () => {
  for (const k of kernels) await k.close();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function programExists(id: number): boolean {
  try {
    execFileSync("bpftool", ["prog", "show", "id", String(id)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

it("shuts down, detaching its programs, when the process that launched it dies", async () => {
  const k = await startKernel({ viaLauncher: true });
  kernels.push(k);
  const x = await k.execute("%%bpf held\nTRACEPOINT_PROBE(syscalls, sys_enter_getppid) { return 0; }");
  expect(x.reply.content.status).toBe("ok");
  const text = x.outputs.map((o) => o.content.data?.["text/plain"] ?? "").join("\n");
  const id = Number(/tracepoint\s+(\d+)\s+[0-9a-f]{16}/.exec(text)?.[1]);
  expect(programExists(id)).toBe(true);

  k.proc.kill("SIGKILL");
  const t0 = performance.now();
  // The kernel looks for its launcher once a second; 30 s is only a bound for a stuck kernel.
  while (alive(k.kernelPid) && performance.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 100));
  const ms = performance.now() - t0;
  expect(alive(k.kernelPid), "the kernel outlived its launcher").toBe(false);
  expect(programExists(id)).toBe(false);
  expect(k.stderr).toContain("has exited; shutting down");
  console.log(`orphaned kernel gone ${ms.toFixed(0)} ms after its launcher was killed; program ${id} detached`);
}, 60_000);
