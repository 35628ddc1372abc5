/**
 * What a finished cell leaves behind in the engine: nothing of its values.
 * A cell's signal is a composite (AbortSignal.any), which Node keeps
 * reachable for as long as it has an abort listener; a listener left on it
 * kept every cell's value (a %%bpf cell's Program, its request, its buffers)
 * for the life of the kernel, about 30 KiB a soak cell. Values are tracked
 * with WeakRefs and counted after a full GC, without a kernel process.
 */
import v8 from "node:v8";
import vm from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../kernel/engine.js";
import { createEngine } from "../../kernel/engine/index.js";
import type { KernelPlugin } from "../../kernel/plugin.js";
import { recordingIO } from "../kernel/engine-io.js";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

const refs: WeakRef<object>[] = [];
const tracked = (): object => {
  const value = { payload: new Uint8Array(1 << 20) };
  refs.push(new WeakRef(value));
  return value;
};

const plugin: KernelPlugin = {
  name: "retention",
  magics: [
    {
      kind: "line",
      name: "big",
      help: "Returns a tracked 1 MiB value after an await",
      run: async () => {
        await new Promise((r) => setImmediate(r));
        return tracked();
      },
    },
  ],
  globals: { tracked },
};

let engine: Engine;
beforeAll(() => {
  engine = createEngine({ plugins: [plugin], typeCheck: false });
});
afterAll(async () => {
  await engine.shutdown();
});

/** Values still reachable after a full collection (WeakRefs hold until the current job ends). */
async function live(): Promise<number> {
  await new Promise((r) => setTimeout(r, 10));
  gc();
  gc();
  return refs.filter((r) => r.deref() !== undefined).length;
}

describe("a finished cell", () => {
  it("leaves none of its values reachable: line magics, awaited TypeScript, results", async () => {
    const cells = ["%big", "await new Promise((r) => setImmediate(r));\ntracked()", "%big\nconst n = 1;\nawait Promise.resolve(n)"];
    const runs = 10;
    for (let i = 0; i < runs; i++) {
      for (const code of cells) {
        const outcome = await engine.execute(code, recordingIO());
        expect(outcome.status).toBe("ok");
      }
    }
    // The cell that starts next lets go of what the previous one waited on.
    await engine.execute("1", recordingIO());
    const left = await live();
    console.log(`retention: ${left} of ${refs.length} cell values (1 MiB each) reachable after ${runs * cells.length} cells and a GC`);
    expect(refs.length).toBe(runs * cells.length);
    expect(left).toBe(0);
  });
});
