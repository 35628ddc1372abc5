/**
 * The protocol layer with the language layer's engine (TypeScript cells):
 * heartbeats while a cell awaits and while it spins, interrupts of a
 * synchronous and an asynchronous loop by interrupt_request and by SIGINT,
 * with earlier state intact afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KernelClient } from "../support/kernel-client.js";
import { startKernel } from "./kernel-env.js";

let k: KernelClient;
beforeAll(async () => {
  k = await startKernel();
  // The first cell also loads the language service; let that settle first.
  await k.execute("let kept: string = 'state'");
  await k.execute("kept");
});
afterAll(async () => {
  await k?.close();
});

async function started(code: string): Promise<string> {
  const id = k.send("shell", "execute_request", { code });
  await k.waitFor((m) => m.parent_header.msg_id === id && m.header.msg_type === "execute_input");
  // An interrupt comes while the cell runs, not as it starts.
  await new Promise((r) => setTimeout(r, 300));
  return id;
}

describe("with the TypeScript engine", () => {
  it("answers heartbeats during a 5 s awaiting cell", async () => {
    const id = await started("await sleep(5000); 'slept'");
    const rtts: number[] = [];
    for (let i = 0; i < 4; i++) {
      rtts.push(await k.heartbeat(3000));
      await new Promise((r) => setTimeout(r, 800));
    }
    const x = await k.collect("shell", id, 30_000);
    expect(x.reply.content.status).toBe("ok");
    console.log(`heartbeat during awaiting cell: ${rtts.map((t) => t.toFixed(1)).join(", ")} ms`);
  });

  it("survives a SIGINT while idle", async () => {
    k.proc.kill("SIGINT");
    // Node takes the signal on a watchdog thread of its own, which may run some
    // milliseconds later on a busy machine; a cell sent before that would be
    // interrupted, rightly. Idle here means idle when the signal is taken.
    await new Promise((r) => setTimeout(r, 250));
    expect((await k.execute("'alive'")).reply.content.status).toBe("ok");
    expect(k.proc.exitCode).toBeNull();
  });

  for (const [label, code] of [
    ["a synchronous loop", "while (true) {}"],
    ["an asynchronous loop", "while (true) { await sleep(10); }"],
  ] as const) {
    for (const how of ["interrupt_request", "SIGINT"] as const) {
      it(`stops ${label} on ${how} and keeps earlier state`, async () => {
        const id = await started(code);
        if (label === "a synchronous loop") expect(await k.heartbeat(3000)).toBeGreaterThanOrEqual(0);
        const t0 = performance.now();
        if (how === "interrupt_request") await k.interrupt();
        else k.proc.kill("SIGINT");
        const x = await k.collect("shell", id, 15_000);
        console.log(`${label} stopped by ${how} in ${(performance.now() - t0).toFixed(0)} ms`);
        expect(x.reply.content.status).toBe("error");
        expect(x.reply.content.ename).toMatch(/Interrupt/);
        const next = await k.execute("kept + '!'");
        expect(next.reply.content.status).toBe("ok");
        expect(next.outputs.find((m) => m.header.msg_type === "execute_result")?.content.data["text/plain"]).toContain("state!");
      });
    }
  }
});
