/**
 * What a settled kernel with one attached program holds: a bound on its
 * proportional set size, so that a class's worth of kernels on one server
 * stays affordable. The bound is the goal, 150 MiB (ipykernel with BCC holds
 * ~180 MB on the same machine; bench/README.md); the figure is printed.
 *
 * Most of what a compile brings in is libLLVM's and libclang-cpp's code,
 * which the kernel unmaps once compiles go idle: this checks that it does,
 * and that the next compile (which maps it back) works.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { CLI, KernelClient } from "../support/kernel-client.js";
import { pssKiB, residentOfFileKiB, rssKiB } from "../hardening/proc.js";

const built = existsSync(CLI);
const BOUND_MIB = 150;
const COMPILER = /\/lib(LLVM|clang-cpp)[^/]*$/;
const PROGRAM = "%%bpf held\nBPF_ARRAY(total, u64, 1);\nTRACEPOINT_PROBE(syscalls, sys_enter_getppid) { u32 k = 0; total.increment(k); return 0; }";

let k: KernelClient;
beforeAll(async () => {
  if (built) k = await KernelClient.start();
});
afterAll(async () => {
  await k?.close();
});

it.skipIf(!built)(`a settled kernel with one program stays under ${BOUND_MIB} MiB PSS`, async () => {
  const x = await k.execute(PROGRAM, {}, 60_000);
  expect(x.reply.content.status).toBe("ok");
  // Settled: the compiler has given back its memory (250 ms idle) and start-up's loads are done.
  await new Promise((r) => setTimeout(r, 8000));
  const pid = k.proc.pid!;
  const pss = pssKiB(pid) / 1024;
  console.log(`settled kernel with one program: PSS ${pss.toFixed(1)} MiB, RSS ${(rssKiB(pid) / 1024).toFixed(1)} MiB`);
  expect(pss).toBeLessThan(BOUND_MIB);
}, 90_000);

it.skipIf(!built)("the compiler's code is unmapped once compiles go idle, and the next compile maps it back", async () => {
  const pid = k.proc.pid!;
  const compiling = k.execute("%%bpf again\nTRACEPOINT_PROBE(syscalls, sys_enter_getppid) { return 0; }", {}, 60_000);
  let peak = 0;
  for (let done = false; !done; ) {
    peak = Math.max(peak, residentOfFileKiB(pid, COMPILER));
    done = await Promise.race([compiling.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 20))]);
  }
  peak = Math.max(peak, residentOfFileKiB(pid, COMPILER));
  expect((await compiling).reply.content.status).toBe("ok");
  await new Promise((r) => setTimeout(r, 2000));
  const idle = residentOfFileKiB(pid, COMPILER);
  console.log(`libLLVM + libclang-cpp resident: ${(peak / 1024).toFixed(1)} MiB while compiling, ${(idle / 1024).toFixed(1)} MiB idle`);
  // What stays is their relocated read-only data (vtables), copied on write and so never released.
  expect(peak).toBeGreaterThan(idle + 20 * 1024);
  expect(idle).toBeLessThan(16 * 1024);
}, 90_000);
