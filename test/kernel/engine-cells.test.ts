/**
 * TypeScript cells through the engine: declarations that persist and may be
 * declared again, top-level await, the last expression as result, console to
 * the cell's streams, imports and require, errors on cell lines, display handles.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine, ExecuteOutcome } from "../../kernel/engine.js";
import { createEngine } from "../../kernel/engine/index.js";
import { recordingIO, stderrSoon, type RecordingIO } from "./engine-io.js";

let engine: Engine;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ibcc-engine-"));
  writeFileSync(join(dir, "local.mjs"), "export const answer = 42;\nexport default function twice(x) { return 2 * x; }\n");
  engine = createEngine({ plugins: [], cwd: dir });
});

afterAll(async () => {
  await engine.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

async function run(code: string): Promise<{ out: ExecuteOutcome; io: RecordingIO }> {
  const io = recordingIO();
  const out = await engine.execute(code, io);
  return { out, io };
}

function text(out: ExecuteOutcome): unknown {
  if (out.status !== "ok") throw new Error(`cell failed: ${out.ename}: ${out.evalue}\n${out.traceback.join("\n")}`);
  return out.result?.data["text/plain"];
}

describe("declarations", () => {
  it("persist to later cells: let, const, var, function, class, enum, destructuring", async () => {
    const first = await run(
      [
        "let a: number = 1",
        "const b = 'two'",
        "var c = [3]",
        "const { d, e: [f = 6] } = { d: 4, e: [] as number[] }",
        "function g(x: number): number { return x + a }",
        "class H { constructor(readonly v: number) {} twice() { return this.v * 2 } }",
        "enum Color { Red, Green }",
        "type Alias = { n: number }",
        "interface Shape { sides: number }",
      ].join("\n"),
    );
    expect(first.out).toEqual({ status: "ok" });
    const second = await run("[a, b, c[0], d, f, g(1), new H(5).twice(), Color.Green].join()");
    expect(text(second.out)).toBe("'1,two,3,4,6,2,10,1'");
  });

  it("may be declared again, with a new type, when a cell is re-run", async () => {
    for (let i = 0; i < 2; i++) {
      expect((await run("const again = 1\nlet again2 = 'x'\nclass Again {}\nfunction againFn() { return 1 }")).out.status).toBe("ok");
    }
    expect((await run("const again = 'now a string'")).out.status).toBe("ok");
    expect(text((await run("again")).out)).toBe("'now a string'");
  });

  it("hoists functions within a cell and keeps later cells' view of them", async () => {
    expect((await run("const h20 = hoisted(2)\nfunction hoisted(n: number) { return n * 10 }")).out.status).toBe("ok");
    expect(text((await run("[h20, hoisted(3)].join()")).out)).toBe("'20,30'");
  });
});

describe("results", () => {
  it("is the last expression statement's value", async () => {
    expect(text((await run("const r1 = 2\nr1 * 21")).out)).toBe("42");
    expect(text((await run("({ big: 123n, nested: { deep: [1, 2] } })")).out)).toBe("{ big: 123n, nested: { deep: [ 1, 2 ] } }");
  });

  it("is nothing for an assignment, a declaration or undefined", async () => {
    expect((await run("let r2 = 1\nr2 = 5")).out).toEqual({ status: "ok" });
    expect((await run("const r3 = 1")).out).toEqual({ status: "ok" });
    expect((await run("undefined")).out).toEqual({ status: "ok" });
    expect((await run("r2 += 1")).out).toEqual({ status: "ok" });
    expect(text((await run("r2")).out)).toBe("6");
  });

  it("comes after top-level await, which persists declarations as well", async () => {
    const { out } = await run("const waited = await new Promise<number>((r) => setTimeout(() => r(7), 5))\nawait sleep(1)\nwaited * 6");
    expect(text(out)).toBe("42");
    expect(text((await run("waited")).out)).toBe("7");
    expect(text((await run("await Promise.resolve('direct')")).out)).toBe("'direct'");
  });

  it("renders a Jupyter.display value with its bundle", async () => {
    const { out } = await run("html`<b>${1 + 1}</b>`");
    expect(out).toEqual({ status: "ok", result: { data: { "text/html": "<b>2</b>", "text/plain": "<b>2</b>" } } });
    const md = await run("md('# title')");
    expect(md.out.status === "ok" && md.out.result?.data["text/markdown"]).toBe("# title");
  });
});

describe("console", () => {
  it("writes log/info/debug to stdout and error/warn to stderr, formatted like Node", async () => {
    const { io } = await run("console.log('n=%d', 5, { a: [1] })\nconsole.info('info')\nconsole.debug('debug')\nconsole.error('bad', new Map([[1, 2]]))\nconsole.warn('warn')");
    expect(io.stdout()).toBe("n=5 { a: [ 1 ] }\ninfo\ndebug\n");
    expect(io.stderr()).toBe("bad Map(1) { 1 => 2 }\nwarn\n");
  });

  it("sends output of background work to the cell that started it", async () => {
    const { io } = await run("setTimeout(() => console.log('late'), 20)\nawait sleep(60)");
    expect(io.stdout()).toBe("late\n");
  });
});

describe("imports and require", () => {
  it("imports node built-ins and files relative to the cwd, and persists the bindings", async () => {
    const { out } = await run("import fs from 'node:fs'\nimport { join as pjoin } from 'node:path'\nimport * as os from 'node:os'\nimport twice, { answer } from './local.mjs'\n[typeof fs.readFileSync, pjoin('a', 'b'), typeof os.cpus, twice(answer)]");
    expect(text(out)).toBe("[ 'function', 'a/b', 'function', 84 ]");
    expect(text((await run("pjoin('x', 'y')")).out)).toBe("'x/y'");
  });

  it("runs import() expressions, also inside functions", async () => {
    const { out } = await run("async function load() { return (await import('./local.mjs')).answer }\n[await load(), (await import('node:path')).sep].join()");
    expect(text(out)).toBe("'42,/'");
  });

  it("has require", async () => {
    expect(text((await run("const { basename } = require('node:path')\nbasename('/a/b.txt')")).out)).toBe("'b.txt'");
  });
});

describe("errors", () => {
  it("report the cell's own line and column through functions of earlier cells", async () => {
    const cellA = await run("// a comment line\nfunction boom(x: number): number {\n  const y: { z?: { w: number } } = {}\n  return y.z!.w + x\n}");
    expect(cellA.out.status).toBe("ok");
    const io = recordingIO(77);
    const out = await engine.execute("const before = 1\n\nboom(before)", io);
    expect(out.status).toBe("error");
    if (out.status !== "error") return;
    expect(out.ename).toBe("TypeError");
    expect(out.evalue).toMatch(/reading 'w'/);
    expect(out.traceback[0]).toBe(`TypeError: ${out.evalue}`);
    expect(out.traceback[1]).toMatch(/^ {4}at boom \(<cell \d+>:4:15\)$/);
    expect(out.traceback[2]).toBe("    at <cell 77>:3:1");
    expect(out.traceback.join("\n")).not.toMatch(/kernel\/engine|node:vm|node:internal/);
    expect(out.traceback).toContain("4 |   return y.z!.w + x");
  });

  it("name the run's own cell when the same text runs again (its compile is reused)", async () => {
    const code = "const again3 = 1\n\nnull!.again3";
    for (const count of [83, 84]) {
      const out = await engine.execute(code, recordingIO(count));
      expect(out.status === "error" && out.traceback[1]).toBe(`    at <cell ${count}>:3:7`);
    }
  });

  it("map lines after an await and in an async function", async () => {
    const io = recordingIO(78);
    const out = await engine.execute("await sleep(1)\nasync function later() {\n  await sleep(1)\n  throw new RangeError('late failure')\n}\nawait later()", io);
    expect(out.status === "error" && out.ename).toBe("RangeError");
    if (out.status !== "error") return;
    expect(out.traceback.slice(0, 2)).toEqual(["RangeError: late failure", "    at later (<cell 78>:4:9)"]);
    expect(out.traceback[2]).toMatch(/^ {4}at (async )?<cell 78>:6:1$/);
  });

  it("report a syntax error before anything runs", async () => {
    const io = recordingIO(79);
    const out = await engine.execute("console.log('not run')\nconst ok = 1\nlet broken = (1 + \n", io);
    expect(out.status === "error" && out.ename).toBe("SyntaxError");
    if (out.status !== "error") return;
    expect(out.traceback[1]).toMatch(/^ {4}at <cell 79>:3:18$/);
    expect(io.stdout()).toBe("");
    expect(io.stderr()).toBe(""); // no type warnings on top of the syntax error
  });

  it("report syntax errors only V8 finds on the cell's line, before anything runs", async () => {
    const io = recordingIO(81);
    const out = await engine.execute("console.log('not run')\nawait sleep(1)\nreturn 1", io);
    expect(out.status === "error" && out.traceback.slice(0, 2)).toEqual(["SyntaxError: Illegal return statement", "    at <cell 81>:3:1"]);
    expect(io.stdout()).toBe("");
  });

  it("show thrown non-errors and keep running later cells", async () => {
    const out = (await run("throw 'plain'")).out;
    expect(out).toMatchObject({ status: "error", ename: "Uncaught", evalue: "'plain'" });
    expect(text((await run("1 + 1")).out)).toBe("2");
  });

  it("warn about type errors on stderr and still run the code", async () => {
    const io = recordingIO(80);
    const out = await engine.execute("const typed: number = 'text' as any as string\ntyped", io);
    expect(text(out)).toBe("'text'");
    const warning = "<cell 80>:1:7 - TS2322: Type 'string' is not assignable to type 'number'.";
    expect(await stderrSoon(io, warning)).toContain(warning);
  });
});

describe("display", () => {
  it("shows values and updates them in place through the handle", async () => {
    const { out, io } = await run("const handle = display('first')\nhandle.update({ second: 2 })\nhandle.displayId");
    const id = text(out) as string;
    expect(io.sent.filter((s) => s.type !== "stream")).toEqual([
      { type: "display", displayId: JSON.parse(id.replace(/'/g, '"')), data: { data: { "text/plain": "'first'" } } },
      { type: "update", displayId: JSON.parse(id.replace(/'/g, '"')), data: { data: { "text/plain": "{ second: 2 }" } } },
    ]);
  });

  it("clears output, asks for input", async () => {
    const io = recordingIO(90, ["typed answer"]);
    const out = await engine.execute("clearOutput(true)\nawait input('name? ')", io);
    expect(text(out)).toBe("'typed answer'");
    expect(io.sent[0]).toEqual({ type: "clear", wait: true });
  });

  it("evaluates user expressions in the session's scope", async () => {
    await run("const forUser = { n: 3 }");
    expect(await engine.evaluate("forUser.n * 2")).toEqual({ status: "ok", result: { data: { "text/plain": "6" } } });
    expect((await engine.evaluate("nope.x")).status).toBe("error");
  });
});
