/**
 * The language worker starts on the first request that needs it and stops
 * once idle; what the session declared survives the stop: completion and
 * type warnings after a restart know earlier cells and magics' globals.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Engine } from "../../kernel/engine.js";
import { createEngine } from "../../kernel/engine/index.js";
import type { KernelPlugin } from "../../kernel/plugin.js";
import { recordingIO, stderrSoon } from "./engine-io.js";

const IDLE_MS = 1500;

const plugin: KernelPlugin = {
  name: "binder",
  magics: [
    {
      kind: "cell",
      name: "bind",
      help: "Binds a global named by its argument",
      run: (block, ctx) => ctx.setGlobal(block.args.trim(), { size: 3, label: "x" }, "{ size: number; label: string }"),
    },
  ],
};

let engine: Engine;
const saved = process.env.IBCC_LANGUAGE_IDLE_MS;

beforeAll(() => {
  process.env.IBCC_LANGUAGE_IDLE_MS = String(IDLE_MS);
  engine = createEngine({ plugins: [plugin] });
});

afterAll(async () => {
  if (saved === undefined) delete process.env.IBCC_LANGUAGE_IDLE_MS;
  else process.env.IBCC_LANGUAGE_IDLE_MS = saved;
  await engine.shutdown();
});

async function workerRunning(): Promise<boolean> {
  const r = await engine.execute("%memory", recordingIO());
  const text = r.status === "ok" ? String(r.result?.data?.["text/plain"] ?? "") : "";
  expect(text).toContain("language worker V8 heap");
  return !/not running/.test(text);
}

async function untilStopped(timeoutMs = 30_000): Promise<void> {
  const t0 = performance.now();
  while (await workerRunning()) {
    if (performance.now() - t0 > timeoutMs) throw new Error("the language worker did not stop when idle");
    await new Promise((r) => setTimeout(r, 250));
  }
}

it("does not start for cells without TypeScript, nor for a magic's global", async () => {
  expect((await engine.execute("%%bind early\n", recordingIO())).status).toBe("ok");
  expect(await workerRunning()).toBe(false);
});

it("starts on the first completion, stops when idle, and completes again after the stop", async () => {
  const t0 = performance.now();
  expect((await engine.complete("early.si", 8)).matches).toEqual(["size"]);
  console.log(`first completion, service started for it: ${(performance.now() - t0).toFixed(0)} ms`);
  expect(await workerRunning()).toBe(true);
  const io = recordingIO();
  await engine.execute("const session = { counts: [1, 2], name: 'ibcc' }", io);
  await untilStopped();
  // Declared while the worker is down: a magic's global.
  expect((await engine.execute("%%bind late\n", recordingIO())).status).toBe("ok");
  expect(await workerRunning()).toBe(false);
  const t1 = performance.now();
  expect((await engine.complete("session.co", 10)).matches).toEqual(["counts"]);
  console.log(`first completion after an idle stop: ${(performance.now() - t1).toFixed(0)} ms`);
  expect((await engine.complete("late.la", 7)).matches).toEqual(["label"]);
  expect((await engine.complete("early.si", 8)).matches).toEqual(["size"]);
  const info = await engine.inspect("session", 3, 0);
  expect(info.found).toBe(true);
});

it("type warnings still come after an idle stop", async () => {
  await untilStopped();
  const io = recordingIO();
  await engine.execute("const n: number = session.name", io);
  expect(await stderrSoon(io, "TS2322")).toContain("Type warnings");
});
