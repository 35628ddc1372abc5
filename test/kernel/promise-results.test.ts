/**
 * A cell whose value is a Promise, through a real Jupyter client: the kernel
 * awaits it (as Deno does) and shows what it resolves to, a rejection is the
 * cell's error, and the kernel's own objects (the cell scope Node keeps on
 * every promise and timer a cell makes) never show in output.
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, KernelClient, type Execution } from "../support/kernel-client.js";

const built = existsSync(CLI);
if (!built) console.log(`skipping promise-result tests: ${CLI} is not built (npx tsc -p tsconfig.json)`);

const result = (x: Execution): string | undefined =>
  x.outputs.find((m) => m.header.msg_type === "execute_result")?.content.data["text/plain"];
const everything = (x: Execution): string => JSON.stringify(x.outputs.map((m) => m.content)) + JSON.stringify(x.reply.content);

describe.skipIf(!built)("promises as cell values", () => {
  let k: KernelClient;
  beforeAll(async () => {
    k = await KernelClient.start();
  });
  afterAll(async () => {
    await k?.close();
  });

  it("shows what a final Promise resolves to", async () => {
    const x = await k.execute("sleep(10).then(() => 42)");
    expect(x.reply.content.status).toBe("ok");
    expect(result(x)).toBe("42");
    const y = await k.execute("(async () => ({ a: 1 }))()");
    expect(result(y)).toBe("{ a: 1 }");
    const z = await k.execute("Promise.resolve(undefined)");
    expect(result(z)).toBeUndefined();
  });

  it("makes a rejection the cell's error", async () => {
    const x = await k.execute("const boom = async () => { await sleep(1); throw new RangeError('too far') }\nboom()");
    expect(x.reply.content.status).toBe("error");
    expect(x.reply.content.ename).toBe("RangeError");
    expect(x.reply.content.evalue).toMatch(/too far/);
  });

  it("never shows the kernel's async context in objects holding cell promises", async () => {
    const cases = [
      "({ p: sleep(10) })",
      "({ q: (async () => 1)() })",
      "const kept = new Promise(() => {}); ({ kept })",
      "const t = setTimeout(() => {}, 10_000); clearTimeout(t); t",
      "console.log({ p: sleep(5), r: Promise.resolve(3) })",
    ];
    for (const code of cases) {
      const x = await k.execute(code);
      expect(x.reply.content.status, code).toBe("ok");
      const shown = everything(x);
      expect(shown, code).not.toMatch(/kResourceStore|async_id_symbol|io:|flush|signal/);
    }
    const held = await k.execute("({ p: sleep(10) })");
    expect(result(held)).toMatch(/^\{ p: Promise \{ <pending> \} \}$/);
    const log = await k.execute("const later = Promise.resolve(7); await later; console.log(later)");
    expect(KernelClient.stdout(log).trim()).toBe("Promise { 7 }");
  });
});
