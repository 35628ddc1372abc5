/**
 * %memory through a real Jupyter client and kernel process: the parts it
 * lists match /proc and bpftool's view, --collect gives garbage and freed
 * native memory back, and a bad argument is a usage error.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, KernelClient, type Execution } from "../support/kernel-client.js";
import { existsSync } from "node:fs";
import { rssKiB } from "../hardening/proc.js";

const built = existsSync(CLI);
if (!built) console.log(`skipping %memory tests: ${CLI} is not built (npx tsc -p tsconfig.json)`);

const HOLD = "%%bpf held\nBPF_HASH(seen, u32, u64, 4096);\nBPF_ARRAY(total, u64, 1);\nTRACEPOINT_PROBE(syscalls, sys_enter_getppid) { u32 k = 0; total.increment(k); return 0; }";

const plain = (x: Execution): string =>
  x.outputs.map((m) => (m.content.data?.["text/plain"] as string | undefined) ?? (m.content.text as string | undefined) ?? "").join("\n");
const ok = (x: Execution): Execution => {
  if (x.reply.content.status !== "ok") throw new Error(`cell failed: ${x.reply.content.ename}: ${x.reply.content.evalue}`);
  return x;
};
/** The numbers on a row of the text table, by its part's name. */
const row = (text: string, part: string): number[] => {
  const line = text.split("\n").find((l) => l.trimStart().startsWith(part));
  if (!line) throw new Error(`no row "${part}" in:\n${text}`);
  return (line.slice(line.indexOf(part) + part.length).match(/\d+(\.\d+)?/g) ?? []).map(Number);
};

describe.skipIf(!built)("%memory", () => {
  let k: KernelClient;
  beforeAll(async () => {
    k = await KernelClient.start();
  });
  afterAll(async () => {
    await k?.close();
  });

  it("lists the process's parts, with the BPF objects the kernel holds", async () => {
    ok(await k.execute(HOLD, {}, 60_000));
    const x = ok(await k.execute("%memory", {}, 60_000));
    const text = plain(x);
    console.log(text);
    const rss = row(text, "resident (VmRSS)")[0];
    expect(Math.abs(rss * 1024 - rssKiB(k.proc.pid!))).toBeLessThan(32 * 1024);
    expect(row(text, "kernel V8 heap")[0]).toBeGreaterThan(5);
    expect(text).toMatch(/language worker V8 heap/);
    expect(row(text, "native heap in use (malloc)")[0]).toBeGreaterThan(1);
    expect(text).toMatch(/BPF programs held .* 1 program;/);
    expect(text).toMatch(/BPF maps held .* 2 maps;/);
    // A 4,096-entry hash of u32 -> u64 is charged hundreds of KiB of memlock.
    expect(row(text, "BPF maps held")[0]).toBeGreaterThan(0);
    const html = x.outputs.find((m) => m.content.data?.["text/html"])?.content.data["text/html"] as string;
    expect(html).toMatch(/<table/);
  });

  it("--collect shows before and after, and gives garbage back", async () => {
    // Garbage in both heaps: a cell's worth of objects, and the language worker's check of it.
    ok(await k.execute("let junk = Array.from({ length: 200000 }, (_, i) => ({ i, s: String(i) })); junk = []; junk.length"));
    const x = ok(await k.execute("%memory --collect", {}, 60_000));
    const text = plain(x);
    console.log(text);
    expect(text).toMatch(/before MiB.*after MiB/);
    const [kernelBefore, kernelAfter] = row(text, "kernel V8 heap");
    expect(kernelAfter).toBeLessThan(kernelBefore);
    const [workerBefore, workerAfter] = row(text, "language worker V8 heap");
    expect(workerAfter).toBeLessThanOrEqual(workerBefore);
    // The kernel keeps working after collecting, and no cell sees a gc global.
    expect(plain(ok(await k.execute("typeof (globalThis as { gc?: unknown }).gc")))).toMatch(/undefined/);
    ok(await k.execute("%detach held"));
    expect(plain(ok(await k.execute("%memory")))).toMatch(/BPF maps held .* 0 maps;/);
  });

  it("names its one option when given another", async () => {
    const x = await k.execute("%memory --all");
    expect(x.reply.content.status).toBe("error");
    expect(x.reply.content.ename).toBe("UsageError");
    expect(x.reply.content.evalue).toMatch(/--collect/);
  });
});
