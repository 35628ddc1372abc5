/**
 * Output floods: a cell that prints a million lines, and one whose value is a
 * 50 MB string, reach the front end bounded (kernel/protocol/output-limit.ts:
 * printed text 2 MiB then 512 KiB/s per cell, 8 MiB per displayed value) with a
 * notice, and the kernel keeps answering heartbeats and the next cell.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BURST_BYTES, BYTES_PER_VALUE, RATE_BYTES_PER_S } from "../../kernel/protocol/output-limit.js";
import { KernelClient } from "../support/kernel-client.js";

let k: KernelClient;
beforeAll(async () => {
  k = await KernelClient.start();
});
afterAll(async () => {
  await k?.close();
});

describe("output floods", () => {
  it("a million console.log lines are rate-limited with a notice; heartbeats answered meanwhile", async () => {
    const t0 = performance.now();
    const id = k.send("shell", "execute_request", { code: "for (let i = 0; i < 1e6; i++) console.log('line', i); 'printed'", silent: false, store_history: true, user_expressions: {}, allow_stdin: false });
    const beats: number[] = [];
    let done = false;
    const x = k.collect("shell", id, 180_000).finally(() => (done = true));
    while (!done) {
      beats.push(await k.heartbeat(10_000));
      await new Promise((r) => setTimeout(r, 200));
    }
    const ex = await x;
    const seconds = (performance.now() - t0) / 1000;
    const streams = ex.iopub.filter((m) => m.header.msg_type === "stream");
    const bytes = streams.reduce((n, m) => n + String(m.content.text).length, 0);
    const notices = streams.filter((m) => /output is being dropped/.test(String(m.content.text)));
    const bound = BURST_BYTES + RATE_BYTES_PER_S * seconds + 128 * 1024;
    console.log(
      `flood: 1e6 lines (~13 MB) in ${seconds.toFixed(1)} s; iopub got ${streams.length} stream messages, ${(bytes / 1024).toFixed(0)} KiB ` +
        `(bound ${(bound / 1024).toFixed(0)} KiB), ${notices.length} notice(s); ${beats.length} heartbeats during it, slowest ${Math.max(...beats).toFixed(0)} ms`,
    );
    expect(ex.reply.content.status).toBe("ok");
    expect(notices.length).toBeGreaterThanOrEqual(1);
    expect(String(notices[0].content.text)).toMatch(/512 KiB\/s/);
    expect(bytes).toBeLessThan(bound);
    expect(beats.length).toBeGreaterThan(0);
    const next = await k.execute("6 * 7");
    expect(next.outputs.find((m) => m.header.msg_type === "execute_result")?.content.data["text/plain"]).toBe("42");
  }, 200_000);

  it("a 50 MB string value reaches the front end cut, with a notice", async () => {
    const t0 = performance.now();
    const x = await k.execute("'x'.repeat(50 * 1024 * 1024)", {}, 120_000);
    const result = x.outputs.find((m) => m.header.msg_type === "execute_result");
    const text = String(result?.content.data["text/plain"] ?? "");
    console.log(`huge value: execute_result text/plain ${(text.length / 1024).toFixed(0)} KiB in ${((performance.now() - t0) / 1000).toFixed(1)} s; ends "${text.slice(-160).trim()}"`);
    expect(x.reply.content.status).toBe("ok");
    expect(text.length).toBeLessThan(BYTES_PER_VALUE + 1024);
    // The display layer shortens a string's text itself and says how much is left out.
    expect(text).toMatch(/more characters|truncated/);
    expect(await k.heartbeat(5000)).toBeGreaterThan(0);
    expect((await k.execute("'ok'")).reply.content.status).toBe("ok");
  }, 150_000);

  it("a 50 MB HTML display is dropped, its text cut, with a notice naming the limit", async () => {
    const x = await k.execute("display(html('<pre>' + 'y'.repeat(50 * 1024 * 1024) + '</pre>')); 'shown'", {}, 120_000);
    const shown = x.outputs.find((m) => m.header.msg_type === "display_data");
    const data = (shown?.content.data ?? {}) as Record<string, string>;
    const sizes = Object.entries(data).map(([mime, v]) => `${mime} ${(String(v).length / 1024).toFixed(0)} KiB`);
    console.log(`huge html: display_data carries ${sizes.join(", ")}; text/plain ends "${String(data["text/plain"]).slice(-200).trim()}"`);
    expect(x.reply.content.status).toBe("ok");
    expect(data["text/html"]).toBeUndefined();
    expect(data["text/plain"]).toMatch(/output truncated: text\/html dropped \(52,428,8\d\d characters\).*8 MiB per displayed value/);
    expect(await k.heartbeat(5000)).toBeGreaterThan(0);
  }, 150_000);

  it("output within the limits passes whole", async () => {
    const x = await k.execute("for (let i = 0; i < 1000; i++) console.log('small', i)");
    const text = KernelClient.stdout(x);
    expect(text.split("\n").filter(Boolean).length).toBe(1000);
    expect(text).not.toMatch(/ibcc:/);
  });
});
