/**
 * Plain cells run before TypeScript is loaded: which cells qualify, that each
 * one that does gives the same result or error as through the compiler, and
 * that an engine answers one while its plugins and compiler are still out.
 */
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { createEngine } from "../../kernel/engine/index.js";
import { createSessionContext } from "../../kernel/engine/context.js";
import { isPlainCell } from "../../kernel/engine/plain-cell.js";
import { prepareChunk } from "../../kernel/engine/prepare-chunk.js";
import { preparePlain, runPrepared, type PreparedChunk } from "../../kernel/engine/runner.js";
import { ScriptTable } from "../../kernel/engine/traceback.js";
import { kernelGlobals } from "../../kernel/globals/index.js";
import type { KernelPlugin } from "../../kernel/plugin.js";
import { recordingIO } from "./engine-io.js";

const NAMES = new Set(["Math", "console", "JSON", "Date", "Number", "Promise", "undefined", "NaN", "x", "sleep", "f"]);
const has = (name: string): boolean => NAMES.has(name);

describe("which cells are plain", () => {
  it.each([
    "1 + 1",
    "1 + 1;",
    "  Math.max(3, 4)  // the larger\n",
    "console.log('hi', \"there\"); 2 ** 10",
    "x?.y ?? 3",
    "[1, 2, ...[3]].length",
    "new Date(0).getTime() === 0",
    "typeof undefined",
    "10 / 4",
    "Math.PI.toFixed(2)",
    "0x1F + 1e3 + 1_000 + .5",
    "x !== 1 && x != 2",
    "sleep(10)",
    "1\n2\n3",
  ])("plain: %j", (code) => expect(isPlainCell(code, has)).toBe(true));

  it.each([
    ["", "nothing to run"],
    ["// a comment", "nothing to run"],
    ["let y = 1", "a declaration"],
    ["x = 5", "an assignment: TypeScript's transform shows no result for it, V8 completes with its value"],
    ["x += 1", "an assignment"],
    ["(x = 5)", "an assignment"],
    ["1 + 1;;", "an empty statement last"],
    ["await sleep(1)", "await"],
    ["x!", "a non-null assertion"],
    ["!x", "a `!` TypeScript could read otherwise"],
    ["f<number>(1)", "type arguments"],
    ["x as number", "a type assertion"],
    ["x satisfies number", "satisfies"],
    ["(a: number) => a", "a typed arrow"],
    ["x ? 1 : 2", "a colon"],
    ["({ a: 1 })", "braces"],
    ["`a${x}`", "a template"],
    ["/ab+c/.test('abc')", "a regular expression"],
    ["%time 1 + 1", "a magic"],
    ["BPF", "a name the session does not hold (yet)"],
    ["this", "this"],
    ["if (x) 1", "a statement keyword"],
    ["'unterminated", "an unterminated string"],
    ["é", "not ASCII"],
    ["import('node:fs')", "import"],
    ["delete x", "delete"],
  ])("not plain: %j (%s)", (code) => expect(isPlainCell(code, has)).toBe(false));

  it("reads a property's name as a property, and a spread's as a name", () => {
    expect(isPlainCell("Math.BPF", has)).toBe(true);
    expect(isPlainCell("x?.BPF", has)).toBe(true);
    expect(isPlainCell("[...BPF]", has)).toBe(false);
  });
});

/**
 * Cells that qualify, run through the compiler and as plain scripts in fresh
 * sessions: same value or same error. Cells that do not qualify are listed to
 * show that the rule, not the corpus, keeps them out.
 */
const CORPUS = [
  "1 + 1",
  "1 + 1;",
  "Math.max(3, 4)",
  "'a' + 1; 2 * 3",
  "1; undefined",
  "[1, 2, 3].map(String)",
  "[1, 2, ...[3]]",
  "typeof undefined",
  "new Date(0).toISOString()",
  "JSON.stringify([1, 'two'])",
  "0x1F + 1e3 + 1_000 + .5",
  "10n ** 20n",
  "Math.max(1, 2) === 2",
  "Promise.resolve(7)",
  "NaN",
  "nope",
  "Math.nope()",
  "JSON.parse('{')",
  "1\n+ 2",
  "Math\n.max(5, 1)",
  "void 0",
  "x = 5",
  "let y = 1; y",
  "1 + 1;;",
];

function fresh() {
  return { session: createSessionContext(kernelGlobals()), scripts: new ScriptTable() };
}

async function outcome(prepare: (s: ReturnType<typeof fresh>) => PreparedChunk): Promise<string> {
  const s = fresh();
  try {
    const r = await runPrepared(s.session, prepare(s), new AbortController().signal);
    const value = r.hasValue && r.value instanceof s.session.context.Promise ? await r.value : r.value;
    return r.hasValue && value !== undefined ? `value ${inspect(value)}` : "no value";
  } catch (err) {
    return `error ${(err as Error).name}: ${(err as Error).message}`;
  }
}

describe("a plain cell means what the compiler makes of it", () => {
  it("gives the same value or error both ways for every cell that qualifies", async () => {
    const notPlain: string[] = [];
    for (const code of CORPUS) {
      const probe = fresh();
      if (!preparePlain(probe.session, probe.scripts, "<cell 1>", code)) {
        notPlain.push(code);
        continue;
      }
      const compiled = await outcome((s) => prepareChunk(s.scripts, { view: code, label: "<cell 1>", source: code, wantResult: true }));
      const direct = await outcome((s) => preparePlain(s.session, s.scripts, "<cell 1>", code)!);
      expect(direct, code).toBe(compiled);
    }
    expect(notPlain).toEqual(["nope", "x = 5", "let y = 1; y", "1 + 1;;"]);
  });
});

describe("an engine before its compiler and plugins", () => {
  it("answers a plain cell while the plugins have not loaded, and waits for them for a cell that names their globals", async () => {
    let release!: (p: KernelPlugin[]) => void;
    const plugins = new Promise<KernelPlugin[]>((resolve) => (release = resolve));
    let asked = 0;
    const engine = createEngine({
      plugins: () => {
        asked++;
        return plugins;
      },
      typeCheck: false,
    });
    try {
      const first = await engine.execute("1 + 1", recordingIO());
      expect(first).toEqual({ status: "ok", result: { data: { "text/plain": "2" } } });
      const io = recordingIO();
      const second = engine.execute("console.log(Math.max(3, 4)); Thing + 1", io);
      setTimeout(() => release([{ name: "thing", magics: [], globals: { Thing: 41 } }]), 50);
      expect(await second).toEqual({ status: "ok", result: { data: { "text/plain": "42" } } });
      expect(io.stdout()).toBe("4\n");
      expect(asked).toBe(1);
    } finally {
      release([]);
      await engine.shutdown();
    }
  });

  it("holds a cell magic sent once TypeScript is in until the plugin that defines it is", async () => {
    let release!: (p: KernelPlugin[]) => void;
    const plugins = new Promise<KernelPlugin[]>((resolve) => (release = resolve));
    const engine = createEngine({ plugins: () => plugins, typeCheck: false });
    try {
      // A console's first is_complete starts the loads; TypeScript's half comes in first.
      expect(engine.isComplete("1 +")).toEqual({ status: "unknown" });
      await import("../../kernel/engine/compiler.js");
      await new Promise((r) => setTimeout(r, 50));
      const cell = engine.execute("%%shout\nhello", recordingIO());
      setTimeout(() => release([{ name: "loud", magics: [{ kind: "cell", name: "shout", help: "upper case", run: (b) => b.body.toUpperCase() }] }]), 50);
      expect(await cell).toEqual({ status: "ok", result: { data: { "text/plain": "'HELLO'" } } });
    } finally {
      release([]);
      await engine.shutdown();
    }
  });

  it("reports an error in a plain cell at the cell's own line and column", async () => {
    const engine = createEngine({ plugins: async () => [], typeCheck: false });
    try {
      const out = await engine.execute("1 + 1\n  Math.nope()", recordingIO(7));
      expect(out.status).toBe("error");
      if (out.status !== "error") return;
      expect(out.ename).toBe("TypeError");
      expect(out.traceback).toContain("    at <cell 7>:2:8");
      expect(out.traceback.slice(-2)).toEqual(["2 |   Math.nope()", "           ^"]);
    } finally {
      await engine.shutdown();
    }
  });
});
