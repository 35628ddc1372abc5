/**
 * Right after the first cell the language worker is still loading the
 * TypeScript service: the kernel answers shell and control all the same, the
 * cell's type warning comes later on its stderr, and a shutdown is quick.
 */
import { afterAll, expect, it } from "vitest";
import type { KernelClient } from "../support/kernel-client.js";
import { startKernel } from "./kernel-env.js";

const kernels: KernelClient[] = [];
afterAll(async () => {
  for (const k of kernels) await k.close();
});

async function firstCell(): Promise<{ k: KernelClient; id: string }> {
  const k = await startKernel();
  kernels.push(k);
  const x = await k.execute("const first: number = 'x'\nfirst");
  expect(x.reply.content.status).toBe("ok");
  return { k, id: x.reply.parent_header.msg_id as string };
}

it("answers shell requests at once while the service loads, then warns on the first cell's stderr", async () => {
  const { k, id } = await firstCell();
  const rtts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await k.request("shell", "kernel_info_request", {});
    rtts.push(performance.now() - t0);
  }
  const t0 = performance.now();
  const warning = await k.waitFor(
    (m) => m.parent_header.msg_id === id && m.header.msg_type === "stream" && m.content.name === "stderr",
    60_000,
  );
  expect(warning.content.text).toContain("<cell 1>:1:7 - TS2322");
  console.log(
    `after the first cell: kernel_info round trips ${rtts.map((t) => t.toFixed(0)).join(", ")} ms; ` +
      `its type warning ${(performance.now() - t0).toFixed(0)} ms after those`,
  );
});

it("shuts down quickly right after the first cell", async () => {
  const { k } = await firstCell();
  const t0 = performance.now();
  const { reply, code } = await k.shutdown(false, 10_000);
  const ms = performance.now() - t0;
  expect(reply.content.status).toBe("ok");
  expect(code).toBe(0);
  console.log(`shutdown_request right after the first cell: exit after ${ms.toFixed(0)} ms`);
});
