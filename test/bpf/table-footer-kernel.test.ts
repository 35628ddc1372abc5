/**
 * A map with more keys than a table shows, through a real Jupyter client: the
 * footer tells the rows left out, the rows in all, and what the number summed
 * over them is, in text and HTML alike.
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, KernelClient } from "../support/kernel-client.js";

const built = existsSync(CLI);
if (!built) console.log(`skipping table footer tests: ${CLI} is not built (npx tsc -p tsconfig.json)`);

describe.skipIf(!built)("a table's footer through a Jupyter client", () => {
  let k: KernelClient;
  beforeAll(async () => {
    k = await KernelClient.start();
  });
  afterAll(async () => {
    await k?.execute("counts.close()");
    await k?.close();
  });

  it("says '… 19 more rows (39 in all), their value summing to N'", async () => {
    const x = await k.execute("%%bpf counts\nBPF_HASH(hits, u32, u64, 64);", {}, 60_000);
    expect(x.reply.content.status, JSON.stringify(x.reply.content)).toBe("ok");
    // Keys 1..39 valued 1..39: the top 20 are 20..39, the other 19 sum to 1+...+19 = 190.
    const y = await k.execute("const hits = counts.table('hits')\nfor (let i = 1; i <= 39; i++) hits.set(i, BigInt(i))\nhits");
    const result = y.outputs.find((m) => m.header.msg_type === "execute_result")!;
    const text = String(result.content.data["text/plain"]);
    const html = String(result.content.data["text/html"]);
    console.log(text.split("\n").slice(-2).join("\n"));
    expect(text).toContain("… 19 more rows (39 in all), their value summing to 190");
    expect(html).toContain("… 19 more rows (39 in all), their value summing to 190");
    expect(text).not.toMatch(/total 190/);
  });
});
