/**
 * Completion, inspection and magic names through a real Jupyter client, on a
 * real program's map: `dist.` completes the Table's members and nothing
 * stray, Shift-Tab inside `histogram(` shows the options with their docs, and
 * a mistyped magic gets a "did you mean".
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, KernelClient } from "../support/kernel-client.js";

const built = existsSync(CLI);
if (!built) console.log(`skipping completion tests: ${CLI} is not built (npx tsc -p tsconfig.json)`);

const PROGRAM = "%%bpf bitehist\nBPF_HISTOGRAM(dist);\nTRACEPOINT_PROBE(block, block_rq_issue) { dist.increment(bpf_log2l(args->bytes / 1024)); return 0; }";

describe.skipIf(!built)("completion and inspection through a Jupyter client", () => {
  let k: KernelClient;
  beforeAll(async () => {
    k = await KernelClient.start();
    const x = await k.execute(PROGRAM, {}, 60_000);
    expect(x.reply.content.status, JSON.stringify(x.reply.content)).toBe("ok");
    expect((await k.execute("const dist = bitehist.table('dist')")).reply.content.status).toBe("ok");
  }, 90_000);
  afterAll(async () => {
    await k?.execute("bitehist.close()");
    await k?.close();
  });

  it("completes a Table's members without a stray Symbol", async () => {
    const code = "dist.";
    const c = await k.request("shell", "complete_request", { code, cursor_pos: code.length });
    const matches = c.reply.content.matches as string[];
    console.log(`dist. completes to: ${matches.join(" ")}`);
    expect(matches).toEqual(expect.arrayContaining(["get", "entries", "histogram", "clear"]));
    expect(matches.filter((m) => /symbol/i.test(m))).toEqual([]);
    expect(matches.every((m) => /^[A-Za-z_$][\w$]*$/.test(m))).toBe(true);
  });

  it("shows histogram()'s option fields and their docs on Shift-Tab", async () => {
    for (const code of ["dist.histogram(", "dist.histogram({ "]) {
      const i = await k.request("shell", "inspect_request", { code, cursor_pos: code.length, detail_level: 0 });
      const text = String(i.reply.content.data?.["text/plain"] ?? "");
      console.log(`inspect ${code} ->\n${text}`);
      expect(i.reply.content.found, code).toBe(true);
      expect(text, code).toMatch(/histogram\(/);
      for (const field of ["section", "linear"]) expect(text, code).toContain(field);
    }
  });

  it("suggests the nearest magic for a mistyped one", async () => {
    const x = await k.execute("%bsp");
    expect(x.reply.content.ename).toBe("UnknownMagic");
    expect(x.reply.content.evalue).toMatch(/did you mean %bps\?/);
    const y = await k.execute("%%bfp x\nint a;");
    expect(y.reply.content.evalue).toMatch(/did you mean %%bpf\?/);
    const z = await k.execute("%frobnicate");
    expect(z.reply.content.evalue).not.toMatch(/did you mean/);
  });
});
