/**
 * Cells made of several blocks and line magics: pieces run in order, keep the
 * cell's line numbers, share declarations; the registry (unknown magics,
 * CellError, setGlobal with types); %lsmagic, %time and %%time.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../kernel/engine.js";
import { createEngine } from "../../kernel/engine/index.js";
import { splitCell } from "../../kernel/engine/splitter.js";
import { CellError, type KernelPlugin, type MagicBlock } from "../../kernel/plugin.js";
import { recordingIO, stderrSoon } from "./engine-io.js";

const seen: MagicBlock[] = [];
let shutDown = 0;

const plugin: KernelPlugin = {
  name: "blocks",
  magics: [
    {
      kind: "cell",
      name: "upper",
      help: "Shows its body in capitals and binds it to a variable",
      run(block, ctx) {
        seen.push(block);
        const name = block.args || "upper";
        ctx.setGlobal(name, { text: block.body.toUpperCase(), line: block.headerLine }, "{ text: string; line: number }");
        return block.body.toUpperCase();
      },
    },
    {
      kind: "cell",
      name: "fail",
      help: "Fails the way a compiler does",
      run(block) {
        throw new CellError("CompileError", `bad body at line ${block.headerLine + 1}`, ["CompileError:", `  line ${block.headerLine + 1}: ${block.body}`]);
      },
    },
    {
      kind: "line",
      name: "say",
      help: "Prints its arguments",
      run(args, ctx) {
        ctx.stream("stdout", `say: ${args}\n`);
      },
    },
    {
      kind: "line",
      name: "answer",
      help: "Returns a value",
      run: (_args, ctx) => ({ answer: 42, from: ctx.getGlobal("source") }),
    },
  ],
  shutdown() {
    shutDown++;
  },
};

let engine: Engine;

beforeAll(() => {
  engine = createEngine({ plugins: [plugin] });
});

afterAll(async () => {
  await engine.shutdown();
  expect(shutDown).toBe(1);
});

describe("splitting", () => {
  it("finds blocks and line magics, not lines inside template literals", () => {
    const cell = ["const a = 1", "%say hi there", "const t = `", "%d not a magic", "`", "%%upper NAME", "body line", "%%ts", "a + 1"].join("\n");
    const pieces = splitCell(cell);
    expect(pieces.map((p) => p.kind)).toEqual(["ts", "line", "ts", "cell", "ts"]);
    expect(pieces[1]).toMatchObject({ kind: "line", name: "say", args: "hi there", line: 2, argsColumn: 5 });
    expect(pieces[2]).toMatchObject({ kind: "ts", firstLine: 3, lastLine: 5 });
    expect(pieces[3]).toMatchObject({ kind: "cell", name: "upper", args: "NAME", body: "body line", headerLine: 6 });
    expect(pieces[4]).toMatchObject({ kind: "ts", firstLine: 9, lastLine: 9 });
    // TypeScript chunks are the cell with everything else blanked: same lines, same columns.
    const ts = pieces[4] as { view: string };
    expect(ts.view.split("\n")).toHaveLength(9);
    expect(ts.view.split("\n")[8]).toBe("a + 1");
    expect(ts.view.split("\n")[0].trim()).toBe("");
  });

  it("starts with a magic block when the cell does", () => {
    expect(splitCell("%%upper\nx\n%%upper\ny").map((p) => p.kind)).toEqual(["cell", "cell"]);
  });
});

describe("running mixed cells", () => {
  it("runs blocks and line magics in order with shared declarations", async () => {
    const io = recordingIO();
    const out = await engine.execute(
      ["const source = 'ts'", "console.log('first')", "%say between", "console.log('second', source)", "%%upper shout", "quiet words", "%%ts", "shout.text + ' ' + shout.line"].join("\n"),
      io,
    );
    expect(out).toEqual({ status: "ok", result: { data: { "text/plain": "'QUIET WORDS 5'" } } });
    expect(io.sent.filter((s) => s.type === "stream").map((s) => (s as { text: string }).text)).toEqual(["first\n", "say: between\n", "second ts\n"]);
    // A magic's value in the middle of a cell is displayed; the last piece's value is the result.
    expect(io.sent).toContainEqual({ type: "display", displayId: expect.any(String), data: { data: { "text/plain": "'QUIET WORDS'" } } });
    expect(seen.at(-1)).toEqual({ args: "shout", body: "quiet words", headerLine: 5 });
  });

  it("makes a line magic's value the result when it ends the cell", async () => {
    const out = await engine.execute("%answer", recordingIO());
    expect(out).toEqual({ status: "ok", result: { data: { "text/plain": "{ answer: 42, from: 'ts' }" } } });
  });

  it("reports errors of later TypeScript chunks on their cell line", async () => {
    const io = recordingIO(501);
    const out = await engine.execute(["let ok = 1", "%%upper", "text", "%%ts", "", "ok.toFixed(1)", "null!.boom"].join("\n"), io);
    expect(out.status === "error" && out.traceback.slice(0, 2)).toEqual([
      "TypeError: Cannot read properties of null (reading 'boom')",
      "    at <cell 501>:7:7",
    ]);
  });

  it("checks the syntax of every TypeScript chunk before running any piece", async () => {
    const io = recordingIO(504);
    const out = await engine.execute("console.log('first chunk')\n%say not run\nlet bad = (\n", io);
    expect(out).toMatchObject({ status: "error", ename: "SyntaxError" });
    expect(io.stdout()).toBe("");
  });

  it("says when a magic line cuts a statement in two", async () => {
    const out = await engine.execute("for (const i of [1]) {\n%say inside\n}", recordingIO(505));
    expect(out).toMatchObject({ status: "error", ename: "SyntaxError" });
    if (out.status !== "error") return;
    expect(out.traceback[1]).toMatch(/^ {4}at <cell 505>:1:/);
    expect(out.traceback.at(-1)).toMatch(/^hint: the magic on line 2 ends the TypeScript before it/);
  });

  it("passes a magic's CellError through exactly and stops the cell there", async () => {
    const io = recordingIO();
    const out = await engine.execute("console.log('before')\n%%fail\nint x = ;\n%%ts\nconsole.log('after')", io);
    expect(out).toEqual({ status: "error", ename: "CompileError", evalue: "bad body at line 3", traceback: ["CompileError:", "  line 3: int x = ;"] });
    expect(io.stdout()).toBe("before\n");
  });

  it("names an unknown magic and points at %lsmagic, running nothing", async () => {
    const io = recordingIO();
    const out = await engine.execute("console.log('x')\n%%nosuch args\nbody", io);
    expect(out).toMatchObject({ status: "error", ename: "UnknownMagic" });
    if (out.status === "error") expect(out.evalue).toBe("unknown magic %%nosuch: %lsmagic lists the magics this kernel knows");
    expect(io.stdout()).toBe("");
    expect((await engine.execute("%nosuch", recordingIO())).status).toBe("error");
  });

  it("gives a global bound by setGlobal its type for later cells", async () => {
    await engine.execute("%%upper typed\nabc", recordingIO());
    const c = await engine.complete("typed.", 6);
    expect(c.matches).toEqual(["line", "text"]);
    const io = recordingIO(502);
    await engine.execute("const n: number = typed.text", io);
    const warning = "<cell 502>:1:7 - TS2322: Type 'string' is not assignable to type 'number'.";
    expect(await stderrSoon(io, warning)).toContain(warning);
  });
});

describe("type checks of cells that mix magics and TypeScript", () => {
  it("know a global a block binds for the TypeScript after it in the same cell", async () => {
    const io = recordingIO(503);
    const out = await engine.execute("%%upper same\nxyz\n%%ts\nconst t: string = same.text;\nconst bad: number = same.text;", io);
    expect(out.status).toBe("ok");
    const warning = "<cell 503>:5:7 - TS2322: Type 'string' is not assignable to type 'number'.";
    const stderr = await stderrSoon(io, warning);
    expect(stderr).toContain(warning);
    expect(stderr).not.toMatch(/Cannot find name 'same'/);
  });
});

describe("kernel magics", () => {
  it("%lsmagic lists every magic with its help, as text and HTML", async () => {
    const out = await engine.execute("%lsmagic", recordingIO());
    if (out.status !== "ok") throw new Error(out.evalue);
    const plain = out.result!.data["text/plain"] as string;
    for (const m of ["%lsmagic", "%time", "%%time", "%%upper", "%%fail", "%say", "%answer"]) expect(plain).toContain(m);
    expect(plain).toMatch(/%%upper\s+Shows its body in capitals/);
    expect(out.result!.data["text/html"]).toContain("<code>%%upper</code>");
  });

  it("%time times an expression and returns its value", async () => {
    const io = recordingIO();
    const out = await engine.execute("%time await sleep(20).then(() => 6 * 7)", io);
    expect(out).toEqual({ status: "ok", result: { data: { "text/plain": "42" } } });
    expect(io.stdout()).toMatch(/^CPU times: user .+, sys: .+, total: .+\nWall time: .+\n$/);
    const wall = /Wall time: ([\d.]+) (ms|µs)/.exec(io.stdout())!;
    expect(wall[2] === "ms" && Number(wall[1])).toBeGreaterThanOrEqual(19);
    console.log(io.stdout().trim());
  });

  it("%time keeps the cell's line numbers for errors", async () => {
    const out = await engine.execute("\n\n%time  null!.x", recordingIO(503));
    expect(out.status === "error" && out.traceback[1]).toBe("    at <cell 503>:3:14");
  });

  it("%%time times its TypeScript block, whose declarations persist", async () => {
    const io = recordingIO();
    const out = await engine.execute("%%time\nlet timedSum = 0\nfor (let i = 0; i < 1e5; i++) timedSum += i\ntimedSum", io);
    expect(out).toEqual({ status: "ok", result: { data: { "text/plain": "4999950000" } } });
    expect(io.stdout()).toMatch(/Wall time/);
    expect((await engine.execute("timedSum", recordingIO())).status).toBe("ok");
  });
});

describe("shutdown", () => {
  it("runs every plugin's hook and does not wait past its budget for one that hangs", async () => {
    let quick = 0;
    const e = createEngine({
      plugins: [
        { name: "hangs", magics: [], shutdown: () => new Promise<void>(() => {}) },
        { name: "quick", magics: [], shutdown: () => void quick++ },
      ],
      typeCheck: false,
    });
    const t0 = performance.now();
    await e.shutdown();
    const ms = performance.now() - t0;
    console.log(`shutdown with a hanging plugin hook: ${ms.toFixed(0)} ms (budget 1500 ms)`);
    expect(quick).toBe(1);
    expect(ms).toBeLessThan(10_000);
  });
});
