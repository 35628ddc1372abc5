/**
 * The native heap's figures (mallinfo2) and giving its free pages back: a
 * compile frees tens of MB that the compile thread keeps through a burst of
 * compiles; returnFreedMemory() gives them back at once. (%memory's test and
 * the soak exercise it through the kernel.)
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile, heapInfo, returnFreedMemory } from "../../native/index.js";

const rssMiB = (): number => Number(/^VmRSS:\s*(\d+)/m.exec(readFileSync("/proc/self/status", "utf8"))![1]) / 1024;

describe("native heap", () => {
  it("reports malloc's figures, and returnFreedMemory gives a compile's freed memory back", async () => {
    const m = await compile("BPF_HASH(h, u32, u64, 64);\nint f(void *ctx) { u32 k = 0; u64 *v = h.lookup(&k); return v ? 1 : 0; }");
    m.close();
    const kept = heapInfo();
    const rssKept = rssMiB();
    await returnFreedMemory();
    const after = heapInfo();
    const rssAfter = rssMiB();
    console.log(
      `native heap after a compile: in use ${(kept.inUse / 2 ** 20).toFixed(1)} MiB, free ${(kept.free / 2 ** 20).toFixed(1)} MiB; ` +
        `VmRSS ${rssKept.toFixed(1)} -> ${rssAfter.toFixed(1)} MiB after returnFreedMemory()`,
    );
    expect(kept.inUse).toBeGreaterThan(0);
    expect(kept.inUse).toBeGreaterThanOrEqual(kept.mmapped);
    // The compile's heap (tens of MB) is free in the compile thread's arena.
    expect(kept.free).toBeGreaterThan(10 * 2 ** 20);
    // Usually tens of MB lower; equal when the compile thread's own idle
    // return (250 ms after the compile) came first, as under heavy load.
    expect(rssAfter).toBeLessThanOrEqual(rssKept + 1);
    // Returning is idempotent and leaves malloc working.
    await returnFreedMemory();
    expect(heapInfo().inUse).toBeGreaterThan(0);
    expect(after.arenaBytes).toBeGreaterThan(0);
  });
});
