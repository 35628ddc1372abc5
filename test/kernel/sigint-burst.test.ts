/**
 * SIGINT at random moments never ends the kernel, even while cells make many
 * short breakOnSigint vm runs (around each of which Node swaps SIGINT
 * listeners, see kernel/engine/sigint.ts): one cell looping over runs of its
 * own, then fifty short cells queued back to back, each making 100 runs.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { KernelClient } from "../support/kernel-client.js";
import { startKernel } from "./kernel-env.js";

let k: KernelClient;
beforeAll(async () => {
  k = await startKernel();
  await k.execute("let count = 0");
  expect((await k.execute(VM_LOOP)).reply.content.status).toBe("ok");
});
afterAll(async () => {
  await k?.close();
});

/** Sends SIGINT to the kernel every 0-20 ms until stopped; resolves with how many it sent. */
function burst(): { stop: () => Promise<number> } {
  let sent = 0;
  let running = true;
  const done = (async () => {
    while (running && k.proc.exitCode === null) {
      k.proc.kill("SIGINT");
      sent++;
      await new Promise((r) => setTimeout(r, Math.random() * 20));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return sent;
    },
  };
}

/** Declared before the burst; called during it. Keeps running when its cell is interrupted. */
const VM_LOOP = [
  "import vm from 'node:vm'",
  "const vctx = vm.createContext({})",
  "const vscript = new vm.Script('var s = 0; for (var i = 0; i < 2000; i++) s += i; s')",
  "let runs = 0, breaks = 0",
  "function vmRuns(n: number) {",
  "  for (let j = 0; j < n; j++) try { vscript.runInContext(vctx, { breakOnSigint: true }); runs++ } catch { breaks++ }",
  "}",
  "async function vmLoop(ms: number) {",
  "  const until = Date.now() + ms",
  "  while (Date.now() < until) {",
  "    try { vscript.runInContext(vctx, { breakOnSigint: true }); runs++ } catch { breaks++ }",
  "    if ((runs + breaks) % 20 === 0) await new Promise((r) => setImmediate(r))",
  "  }",
  "}",
].join("\n");

it("survives a burst of SIGINTs while cells make many short vm runs", async () => {
  const loop = k.send("shell", "execute_request", { code: "await vmLoop(3000)", stop_on_error: false });
  await k.waitFor((m) => m.parent_header.msg_id === loop && m.header.msg_type === "execute_input");
  await new Promise((r) => setTimeout(r, 100));
  // The loop goes on in the background once the burst has interrupted its cell.
  const signals = burst();
  const cells = Array.from({ length: 50 }, () => k.send("shell", "execute_request", { code: "count++\nvmRuns(100)", stop_on_error: false }));
  const statuses: Record<string, number> = {};
  const exited = new Promise<never>((_, reject) =>
    k.proc.once("exit", (code, signal) => reject(new Error(`the kernel exited (${code ?? signal}) during the burst`))),
  );
  exited.catch(() => {});
  for (const id of [loop, ...cells]) {
    const x = await Promise.race([k.collect("shell", id, 60_000), exited]);
    const s = String(x.reply.content.status);
    statuses[s] = (statuses[s] ?? 0) + 1;
  }
  const sent = await signals.stop();
  expect(k.proc.exitCode).toBeNull();
  const after = await k.execute("[count, runs, breaks]");
  expect(after.reply.content).toMatchObject({ status: "ok" });
  console.log(
    `SIGINT burst: ${sent} signals; replies ${JSON.stringify(statuses)}; [count, vm runs, vm breaks] = ` +
      after.outputs.find((m) => m.header.msg_type === "execute_result")?.content.data["text/plain"],
  );
}, 120_000);
