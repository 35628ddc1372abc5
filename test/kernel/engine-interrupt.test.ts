/**
 * Interrupts: SIGINT breaks a synchronous `while (true) {}` (also one after a
 * top-level await), engine.interrupt() ends a cell waiting in an await loop,
 * and later cells keep every earlier value. SIGINT comes from a child process,
 * as a client's would, while this process spins in the cell.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../kernel/engine.js";
import { createEngine } from "../../kernel/engine/index.js";
import { recordingIO } from "./engine-io.js";

let engine: Engine;
const children: ChildProcess[] = [];
// The protocol layer traps SIGINT; without a handler here the test process would die between cells.
const trap = (): void => {};

beforeAll(() => {
  process.on("SIGINT", trap);
  engine = createEngine({ plugins: [], typeCheck: false });
});

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
});

afterAll(async () => {
  process.off("SIGINT", trap);
  await engine.shutdown();
});

/** SIGINT to this process after `ms`, from another process (this one is busy in the cell). */
function sigintAfter(ms: number): void {
  const child = spawn("sh", ["-c", `sleep ${ms / 1000}; kill -INT ${process.pid}`], { stdio: "ignore" });
  children.push(child);
}

describe("interrupt", () => {
  it("breaks a synchronous busy loop with SIGINT and keeps earlier state", async () => {
    expect((await engine.execute("let spins = 0\nconst kept = 'state'", recordingIO())).status).toBe("ok");
    sigintAfter(700);
    const t0 = performance.now();
    const out = await engine.execute("while (true) { spins++ }", recordingIO());
    console.log(`sync loop broken after ${(performance.now() - t0).toFixed(0)} ms`);
    expect(out).toMatchObject({ status: "error", ename: "Interrupted" });
    const after = await engine.execute("[kept, spins > 0].join()", recordingIO());
    expect(after).toEqual({ status: "ok", result: { data: { "text/plain": "'state,true'" } } });
  });

  it("breaks a synchronous loop that follows a top-level await", async () => {
    await engine.execute("const started = Date.now()", recordingIO());
    sigintAfter(700);
    const out = await engine.execute("await sleep(5)\nlet afterAwait = 0\nwhile (true) { afterAwait++ }", recordingIO());
    expect(out).toMatchObject({ status: "error", ename: "Interrupted" });
    const after = await engine.execute("afterAwait > 0", recordingIO());
    expect(after).toEqual({ status: "ok", result: { data: { "text/plain": "true" } } });
  });

  it("ends a cell waiting in an await loop through engine.interrupt(), state kept", async () => {
    const io = recordingIO();
    const running = engine.execute("let ticks = 0\nwhile (true) {\n  ticks++\n  await sleep(10)\n}", io);
    await new Promise((r) => setTimeout(r, 200));
    engine.interrupt();
    const out = await running;
    expect(out).toMatchObject({ status: "error", ename: "Interrupted" });
    const t = await engine.execute("ticks", recordingIO());
    expect(t.status === "ok" && Number(t.result?.data["text/plain"])).toBeGreaterThan(0);
  });

  it("ends a cell when the protocol aborts its io.signal, and rejects a pending sleep", async () => {
    const io = recordingIO();
    const running = engine.execute("try {\n  await sleep(60_000)\n} catch (e) {\n  console.log('sleep rejected:', (e as Error).name)\n}", io);
    await new Promise((r) => setTimeout(r, 100));
    io.abort();
    const out = await running;
    // The sleep rejects, the cell's catch runs, and the cell itself ends as interrupted.
    expect(out).toMatchObject({ status: "error", ename: "Interrupted" });
    await new Promise((r) => setTimeout(r, 20));
    expect(io.stdout()).toBe("sleep rejected: Interrupted\n");
  });

  it("ends a cell whose magic ignores the signal", async () => {
    const stuck = createEngine({
      plugins: [{ name: "stuck", magics: [{ kind: "line", name: "stuck", help: "never returns", run: () => new Promise(() => {}) }] }],
      typeCheck: false,
    });
    const running = stuck.execute("%stuck", recordingIO());
    await new Promise((r) => setTimeout(r, 50));
    stuck.interrupt();
    expect(await running).toMatchObject({ status: "error", ename: "Interrupted" });
    await stuck.shutdown();
  });

  it("leaves the engine usable for the next cell", async () => {
    expect(await engine.execute("1 + 1", recordingIO())).toEqual({ status: "ok", result: { data: { "text/plain": "2" } } });
  });
});
