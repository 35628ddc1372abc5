/** The replay guard's bounded memory and the output limiter's arithmetic, without a kernel. */
import { describe, expect, it } from "vitest";
import { BURST_BYTES, BYTES_PER_VALUE, OutputLimiter, RATE_BYTES_PER_S } from "../../kernel/protocol/output-limit.js";
import { ReplayGuard } from "../../kernel/protocol/replay-guard.js";

const frames = (sig: string): Buffer[] => [Buffer.from("id"), Buffer.from("<IDS|MSG>"), Buffer.from(sig), Buffer.from("{}")];

describe("ReplayGuard", () => {
  it("drops a signature it has seen, forgets the oldest past its capacity, ignores unsigned frames", () => {
    const g = new ReplayGuard(3);
    expect(["a", "b", "c"].map((s) => g.admit(frames(s)))).toEqual([true, true, true]);
    expect(g.admit(frames("b"))).toBe(false);
    expect(g.admit(frames("d"))).toBe(true); // evicts "a"
    expect(g.admit(frames("a"))).toBe(true);
    expect(g.admit(frames("c"))).toBe(false);
    expect(g.admit(frames(""))).toBe(true);
    expect(g.admit(frames(""))).toBe(true);
  });
});

describe("OutputLimiter", () => {
  it("passes a burst, then the rate, then drops with one notice per 10 s", () => {
    let now = 0;
    const l = new OutputLimiter(() => now);
    const chunk = { name: "stdout", text: "x".repeat(64 * 1024) };
    let passed = 0;
    let notices = 0;
    for (let i = 0; i < 1000; i++) {
      now += 10; // 100 chunks of 64 KiB a second: 6.4 MiB/s offered
      const r = l.apply("stream", chunk);
      if (r.content) passed += 64 * 1024;
      if (r.notice) notices++;
    }
    const allowed = BURST_BYTES + (RATE_BYTES_PER_S * now) / 1000;
    console.log(`limiter: offered ${(1000 * 64) / 1024} MiB over ${now / 1000} s, passed ${(passed / 1024 / 1024).toFixed(2)} MiB (allowed ${(allowed / 1024 / 1024).toFixed(2)}), ${notices} notice(s)`);
    expect(passed).toBeLessThanOrEqual(allowed);
    expect(passed).toBeGreaterThan(allowed - 128 * 1024);
    expect(notices).toBe(1);
    expect(l.apply("status", { execution_state: "idle" }).content).toBeDefined();
  });

  it("cuts text/plain and drops other types over the per-value limit", () => {
    const l = new OutputLimiter(() => 0);
    const big = "z".repeat(BYTES_PER_VALUE + 10);
    const r = l.apply("display_data", { data: { "text/plain": big, "image/svg+xml": big, "text/markdown": "ok" }, metadata: {} });
    const data = r.content!.data as Record<string, string>;
    expect(data["image/svg+xml"]).toBeUndefined();
    expect(data["text/markdown"]).toBe("ok");
    expect(data["text/plain"].length).toBeLessThan(BYTES_PER_VALUE + 1024);
    expect(data["text/plain"]).toMatch(/image\/svg\+xml dropped/);
  });
});
