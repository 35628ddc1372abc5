/**
 * The language service over the session: completion of members of values
 * declared in earlier cells, of Node built-ins, of plugin globals and magic
 * names; inspection with doc comments; is_complete.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../kernel/engine.js";
import { createEngine } from "../../kernel/engine/index.js";
import type { KernelPlugin } from "../../kernel/plugin.js";
import { recordingIO, stderrSoon } from "./engine-io.js";

const plugin: KernelPlugin = {
  name: "probe",
  magics: [
    {
      kind: "cell",
      name: "words",
      help: "Echoes its body",
      run: (block) => block.body,
      complete: (body, cursor) => ({ matches: ["alpha", "alpine"], cursorStart: cursor - 2, cursorEnd: cursor }),
    },
  ],
  globals: { probe: { count: () => 3 } },
  declarations: `
/** Counts things for the tests. */
declare const probe: {
  /** How many things there are. */
  count(): number;
};`,
};

let engine: Engine;

beforeAll(async () => {
  engine = createEngine({ plugins: [plugin] });
  const t0 = performance.now();
  await engine.execute("const session = { name: 'ibcc', counts: [1, 2, 3], nested: { deep: true } }\nclass Point { x = 1; y = 2; norm() { return Math.hypot(this.x, this.y) } }\nconst pt = new Point()", recordingIO());
  console.log(`first cell with type check: ${(performance.now() - t0).toFixed(0)} ms`);
});

afterAll(() => engine.shutdown());

describe("complete", () => {
  it("lists members of a value declared in an earlier cell", async () => {
    const code = "session.co";
    const r = await engine.complete(code, code.length);
    expect(r.matches).toEqual(["counts"]);
    expect([r.cursorStart, r.cursorEnd]).toEqual([8, 10]);
    const all = await engine.complete("pt.", 3);
    expect(all.matches).toEqual(expect.arrayContaining(["x", "y", "norm"]));
    const t0 = performance.now();
    await engine.complete("session.nested.", 15);
    console.log(`completion after warm-up: ${(performance.now() - t0).toFixed(0)} ms`);
  });

  it("lists members of Node built-ins and of modules imported in the cell", async () => {
    expect((await engine.complete("process.memoryU", 15)).matches).toContain("memoryUsage");
    const code = "import fs from 'node:fs'\nfs.readFileS";
    expect((await engine.complete(code, code.length)).matches).toEqual(["readFileSync"]);
  });

  it("knows the kernel's and plugins' globals", async () => {
    expect((await engine.complete("sle", 3)).matches).toContain("sleep");
    expect((await engine.complete("probe.c", 7)).matches).toEqual(["count"]);
  });

  it("counts the cursor in code points", async () => {
    const code = "const s = '😀😀'; session.na";
    const r = await engine.complete(code, [...code].length);
    expect(r.matches).toEqual(["name"]);
    expect(r.cursorStart).toBe([...code].length - 2);
  });

  it("completes magic names after % and %%, and a cell magic's own body", async () => {
    expect((await engine.complete("%ti", 3)).matches).toEqual(["%time"]);
    expect((await engine.complete("%%", 2)).matches).toEqual(["%%time", "%%words"]);
    expect((await engine.complete("%ls", 3)).matches).toEqual(["%lsmagic"]);
    const code = "%%words\nhello al";
    expect(await engine.complete(code, code.length)).toMatchObject({ matches: ["alpha", "alpine"], cursorStart: 14, cursorEnd: 16 });
  });

  it("completes TypeScript inside a %%time block and after a magic line", async () => {
    const code = "%%time\nsession.cou";
    expect((await engine.complete(code, code.length)).matches).toEqual(["counts"]);
    const code2 = "%lsmagic\npt.no";
    expect((await engine.complete(code2, code2.length)).matches).toEqual(["norm"]);
  });
});

describe("inspect", () => {
  it("shows the type signature and doc comment of a plugin global", async () => {
    const r = await engine.inspect("probe.count()", 9, 0);
    expect(r.found).toBe(true);
    expect(r.data["text/plain"]).toBe("(method) count(): number\n\nHow many things there are.");
    expect(r.data["text/markdown"]).toContain("```typescript\n(method) count(): number\n```");
  });

  it("shows the kernel's globals and values of earlier cells", async () => {
    expect((await engine.inspect("display", 7, 0)).data["text/plain"]).toContain("Shows `value` as an output of this cell");
    expect((await engine.inspect("session", 3, 0)).data["text/plain"]).toContain("counts: number[]");
  });

  it("shows a magic's help", async () => {
    expect((await engine.inspect("%time 1", 2, 0)).data["text/plain"]).toMatch(/^%time: Time one TypeScript/);
  });

  it("finds nothing in empty space", async () => {
    expect((await engine.inspect("   ", 1, 0)).found).toBe(false);
  });
});

describe("is_complete", () => {
  const cases: Array<[string, string, string?]> = [
    ["1 + 1", "complete"],
    ["const x = 1;", "complete"],
    ["function f() {", "incomplete", "  "],
    ["if (a) {\n  while (b) {", "incomplete", "    "],
    ["foo(1,", "incomplete", "  "],
    ["const s = `multi", "incomplete", ""],
    ["const t = `a ${1 + 2} b", "incomplete", ""],
    ["/* open comment", "incomplete", ""],
    ["const y = 1 +", "incomplete", ""],
    ["let = = 3", "invalid"],
    ["foo())", "invalid"],
    ["%lsmagic", "complete"],
    ["%%words\nsome text", "incomplete", ""],
    ["%%words\nsome text\n", "complete"],
    ["", "complete"],
  ];
  for (const [code, status, indent] of cases) {
    it(`${JSON.stringify(code)} is ${status}`, () => {
      const r = engine.isComplete(code);
      expect(r.status).toBe(status);
      if (indent !== undefined) expect(r.indent).toBe(indent);
    });
  }
});

describe("type warnings", () => {
  it("come for the first cell without blocking the main thread while the service loads", async () => {
    // Drift of a 5 ms timer: how long the main thread was unable to answer anything.
    let last = performance.now();
    let maxBlock = 0;
    const monitor = setInterval(() => {
      const now = performance.now();
      maxBlock = Math.max(maxBlock, now - last - 5);
      last = now;
    }, 5);
    const fresh = createEngine({ plugins: [] });
    const t0 = performance.now();
    const io = recordingIO(1);
    const out = await fresh.execute("const first: number = 'x'", io);
    const cellMs = performance.now() - t0;
    expect(out.status).toBe("ok");
    expect(await stderrSoon(io, "<cell 1>:1:7 - TS2322")).toContain("<cell 1>:1:7 - TS2322");
    const warnedMs = performance.now() - t0;
    const c = await fresh.complete("Math.flo", 8);
    expect(c.matches).toEqual(["floor"]);
    clearInterval(monitor);
    console.log(
      `fresh engine: first cell ${cellMs.toFixed(0)} ms, its type warning after ${warnedMs.toFixed(0)} ms; ` +
        `main-thread max blocking ${maxBlock.toFixed(0)} ms`,
    );
    await fresh.shutdown();
  });

  it("are dropped when they come after another cell has started", async () => {
    const fresh = createEngine({ plugins: [] });
    const io1 = recordingIO(1);
    await fresh.execute("const one: number = 'x'", io1);
    const before = io1.stderr();
    const io2 = recordingIO(2);
    await fresh.execute("const two: string = 2", io2);
    // The worker answers in order: once cell 2's warning is out, cell 1's has come too.
    expect(await stderrSoon(io2, "<cell 2>:1:7 - TS2322")).toContain("<cell 2>:1:7 - TS2322");
    expect(io1.stderr()).toBe(before);
    expect(io2.stderr()).not.toContain("<cell 1>");
    await fresh.shutdown();
  });

  it("are quick once the service is warm", async () => {
    const timings: number[] = [];
    for (let i = 0; i < 5; i++) {
      const io = recordingIO();
      const t0 = performance.now();
      await engine.execute(`const w${i}: string = session.name\nw${i}.length`, io);
      timings.push(performance.now() - t0);
      expect(io.stderr()).toBe("");
    }
    console.log(`cells with type check: ${timings.map((t) => t.toFixed(0)).join(", ")} ms`);
  });
});
