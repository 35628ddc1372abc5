/**
 * The course's notebooks as files: built from notebooks/src, valid nbformat 4.5
 * for the ibcc kernelspec, committed without outputs, each ending in an
 * exercise, and the expectation checker itself on hand-made cells.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { checkCell, checkNumbers, hasNonEmptyBar, VEGALITE, type Cell } from "./expect.js";

const root = resolve(import.meta.dirname, "../..");
const dir = join(root, "notebooks");
const notebooks = readdirSync(dir).filter((f) => f.endsWith(".ipynb")).sort();

describe("notebook files", () => {
  it("are up to date with notebooks/src", () => {
    const r = spawnSync(process.execPath, [join(dir, "tools/build.mjs"), "--check"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const sources = readdirSync(join(dir, "src")).filter((f) => f.endsWith(".md"));
    expect(notebooks.map((n) => n.replace(/\.ipynb$/, ".md")).sort()).toEqual(sources.sort());
  });

  it("pass nbformat's own validation (Debian's python3-nbformat)", () => {
    const code = "import nbformat,sys\nfor f in sys.argv[1:]:\n nb=nbformat.read(f,as_version=4); nbformat.validate(nb)\nprint('ok')";
    const r = spawnSync("/usr/bin/python3", ["-c", code, ...notebooks.map((n) => join(dir, n))], { encoding: "utf8" });
    expect(r.stdout.trim(), r.stderr).toBe("ok");
  });

  for (const name of notebooks) {
    it(`${name}: nbformat 4.5, kernel ibcc, no outputs, an exercise, expectations on code cells`, () => {
      const nb = JSON.parse(readFileSync(join(dir, name), "utf8"));
      expect([nb.nbformat, nb.nbformat_minor]).toEqual([4, 5]);
      expect(nb.metadata.kernelspec.name).toBe("ibcc");
      expect(nb.metadata.kernelspec.language).toBe("typescript");
      const code = nb.cells.filter((c: Cell) => c.cell_type === "code");
      expect(code.length).toBeGreaterThan(2);
      for (const c of code) {
        expect(c.outputs).toEqual([]);
        expect(c.execution_count).toBeNull();
        if ((c.metadata.tags ?? []).includes("raises-exception")) expect(c.metadata.ibcc?.error, c.id).toBeTruthy();
        for (const n of c.metadata.ibcc?.numbers ?? []) {
          // A figure check names its claim and compiles, and its bounds are numbers or "$N".
          expect(n.why, `${c.id}: ${n.re}`).toBeTruthy();
          expect(() => new RegExp(n.re), n.re).not.toThrow();
          const bounds = [n.eq, n.min, n.max, n.lt, n.gt].filter((b) => b !== undefined);
          expect(bounds.length, `${c.id}: ${n.re} compares with nothing`).toBeGreaterThan(0);
          for (const b of bounds) expect(typeof b === "number" || /^\$\d+$/.test(String(b)), `${c.id}: bound ${b}`).toBe(true);
        }
      }
      const md = nb.cells.filter((c: Cell) => c.cell_type === "markdown").map((c: Cell) => [c.source].flat().join(""));
      expect(md.some((t: string) => /^## Exercise/m.test(t)), "ends with an exercise").toBe(true);
    });
  }
});

describe("the expectation checker", () => {
  const chart = {
    output_type: "display_data",
    data: {
      [VEGALITE]: {},
      "image/svg+xml": "<svg/>",
      "image/png": "iVBOR",
      "text/plain": "     kbytes     : count    distribution\n       4 -> 7   : 200     |****************************************|\n",
    },
  };
  const cell = (meta: Cell["metadata"], outputs: Cell["outputs"]): Cell => ({ cell_type: "code", source: "x", metadata: meta, outputs });

  it("accepts a histogram with a non-empty bucket and rejects an empty one", () => {
    expect(hasNonEmptyBar(chart.data["text/plain"])).toBe(true);
    expect(checkCell(cell({ ibcc: { histogram: true } }, [chart]))).toEqual([]);
    const empty = { ...chart, data: { ...chart.data, "text/plain": "  4 -> 7   : 0   |   |\n" } };
    expect(checkCell(cell({ ibcc: { histogram: true } }, [empty]))).toHaveLength(1);
  });

  it("flags an error output unless the cell is tagged raises-exception, and matches the error text", () => {
    const err = { output_type: "error", ename: "MissingHook", evalue: "this kernel lacks kprobes", traceback: ["\x1b[31mthis kernel lacks kprobes; use a tracepoint\x1b[0m"] };
    expect(checkCell(cell({}, [err]))).toHaveLength(1);
    expect(checkCell(cell({ tags: ["raises-exception"], ibcc: { error: "lacks kprobes" } }, [err]))).toEqual([]);
    expect(checkCell(cell({ tags: ["raises-exception"], ibcc: { error: "verifier" } }, [err]))).toHaveLength(1);
    expect(checkCell(cell({ tags: ["raises-exception"] }, []))).toHaveLength(1);
  });

  it("checks the figures a lesson states: bounds, other groups, counts, every or any match", () => {
    const text = "loop3: 40 of 40 requests matched\nvda: 7 of 9 requests matched\ndd │ 40,125\n";
    const why = "the lesson says so";
    expect(checkNumbers(text, { re: "(\\d+) of (\\d+) requests matched", eq: "$2", why })).toEqual([]);
    expect(checkNumbers(text, { re: "(\\d+) of (\\d+) requests matched", eq: "$2", all: true, why })).toEqual([
      'figure /(\\d+) of (\\d+) requests matched/ (the lesson says so): "7 of 9 requests matched" gives 7, expected == $2 (9)',
    ]);
    expect(checkNumbers(text, { re: "(\\d+) of (\\d+) requests", lt: "$2", any: true, why })).toEqual([]);
    expect(checkNumbers(text, { re: "(\\d+) of (\\d+) requests", gt: 40, any: true, why })[0]).toMatch(/no match holds/);
    expect(checkNumbers(text, { re: "dd │ ([\\d,]+)", min: 40000, max: 41000, why })).toEqual([]);
    expect(checkNumbers(text, { re: "dd │ ([\\d,]+)", max: 40000, why })[0]).toMatch(/gives 40,125, expected <= 40000/);
    expect(checkNumbers(text, { re: "requests matched", count: true, eq: 2, why })).toEqual([]);
    expect(checkNumbers(text, { re: "dropped", count: true, eq: 0, why })).toEqual([]);
    expect(checkNumbers(text, { re: "dropped (\\d+)", min: 0, why })[0]).toMatch(/^figure not found/);
    expect(checkNumbers(text, { re: "(\\w+): 40 of", min: 0, why })[0]).toMatch(/gives loop3, the figure is not a number/);
    const cellWith = (numbers: NonNullable<Cell["metadata"]["ibcc"]>["numbers"]) =>
      checkCell(cell({ ibcc: { numbers } }, [{ output_type: "stream", name: "stdout", text: [text] }]));
    expect(cellWith([{ re: "(\\d+) of (\\d+)", eq: "$2", why }])).toEqual([]);
    expect(cellWith([{ re: "(\\d+) of (\\d+)", eq: 41, why }])).toHaveLength(1);
  });

  it("checks mime types, table rows and text matches", () => {
    const table = { output_type: "execute_result", data: { "text/html": "<table><tr><th>k</th></tr><tr><td>1</td></tr></table>", "text/plain": "k\n1" } };
    const stream = { output_type: "stream", name: "stdout", text: ["dd  40012\n"] };
    expect(checkCell(cell({ ibcc: { expect: ["text/html"], table: true, match: ["dd\\s+4\\d{4}"] } }, [table, stream]))).toEqual([]);
    expect(checkCell(cell({ ibcc: { expect: ["image/png"] } }, [table]))).toEqual(["no output of type image/png"]);
    expect(checkCell(cell({ ibcc: { table: true } }, [{ output_type: "execute_result", data: { "text/html": "<table></table>" } }]))).toHaveLength(1);
  });
});
