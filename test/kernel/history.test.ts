/** The history store: kept across restarts, owner-only, tail/range/search. */
import { mkdtempSync, rmSync, statSync, writeFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HISTORY_OUTPUT_CHARS, HISTORY_TAIL_BYTES, HistoryStore, defaultHistoryPath } from "../../kernel/history/store.js";

const dir = mkdtempSync(join(tmpdir(), "ibcc-history-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("HistoryStore", () => {
  const file = join(dir, "sub", "history.jsonl");

  it("writes a 0600 file and numbers sessions across restarts", () => {
    const first = new HistoryStore(file);
    expect(first.session).toBe(1);
    first.add(1, "let a = 1");
    first.add(2, "a + 1", "2");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = new HistoryStore(file);
    expect(second.session).toBe(2);
    second.add(1, "console.log(a)");
    expect(second.tail(3).map((e) => [e.session, e.line, e.input])).toEqual([
      [1, 1, "let a = 1"],
      [1, 2, "a + 1"],
      [2, 1, "console.log(a)"],
    ]);
  });

  it("serves ranges of the current, a relative and an absolute session", () => {
    const s = new HistoryStore(file); // session 3
    s.add(1, "x");
    s.add(2, "y");
    s.add(3, "z");
    expect(s.range(0, 2, 4).map((e) => e.input)).toEqual(["y", "z"]);
    expect(s.range(0, 1).map((e) => e.input)).toEqual(["x", "y", "z"]);
    expect(s.range(-2, 1, 3).map((e) => e.input)).toEqual(["let a = 1", "a + 1"]);
    expect(s.range(1, 2, 3)[0].output).toBe("2");
  });

  it("searches with globs, last n, optionally unique", () => {
    const s = new HistoryStore(file);
    s.add(1, "a + 1");
    expect(s.search("a*").map((e) => e.input)).toEqual(["a + 1", "a + 1"]);
    expect(s.search("a*", undefined, true).map((e) => e.input)).toEqual(["a + 1"]);
    expect(s.search("?").map((e) => e.input)).toEqual(["x", "y", "z"]);
    expect(s.search("*", 2).length).toBe(2);
    expect(s.search("(").length).toBe(0); // regex characters are literal
  });

  it("keeps outputs written after their inputs, across restarts", () => {
    const s = new HistoryStore(file);
    s.add(1, "6 * 7");
    s.setOutput(1, "42");
    s.add(2, "no result");
    const again = new HistoryStore(file);
    expect(again.range(-1, 1, 3).map((e) => [e.input, e.output])).toEqual([["6 * 7", "42"], ["no result", null]]);
  });

  it("skips a torn last line left by a killed kernel", () => {
    appendFileSync(file, '{"s":9,"l":1,"i":"half');
    const s = new HistoryStore(file);
    expect(s.session).toBe(6);
    expect(s.tail(1)[0].input).toBe("no result");
    s.add(1, "after the tear");
    expect(new HistoryStore(file).tail(1)[0].input).toBe("after the tear");
  });

  it("keeps a long output to its first 4 KiB, with its length, across restarts", () => {
    const s = new HistoryStore(file);
    s.add(1, "big()");
    s.setOutput(1, "x".repeat(1_000_000));
    s.add(2, "'short'", "short");
    for (const store of [s, new HistoryStore(file)]) {
      const [big, short] = store.range(store === s ? 0 : -1, 1, 3);
      expect(big.output!.startsWith("x".repeat(HISTORY_OUTPUT_CHARS) + "… [1,000,000 characters")).toBe(true);
      expect(big.output!.length).toBeLessThan(HISTORY_OUTPUT_CHARS + 80);
      expect(short.output).toBe("short");
    }
  });

  it("reads only the end of a long history file, and numbers the next session after its last", () => {
    const long = join(dir, "long", "history.jsonl");
    new HistoryStore(long).add(1, "first ever");
    // About 3x the part read at start: 2,000 sessions of 20 cells.
    const cell = "const v = " + "1 + ".repeat(80) + "1";
    let text = "";
    for (let session = 2; session <= 2001; session++) for (let line = 1; line <= 20; line++) text += JSON.stringify({ s: session, l: line, i: `${cell} // ${session}.${line}` }) + "\n";
    appendFileSync(long, text);
    expect(statSync(long).size).toBeGreaterThan(2.5 * HISTORY_TAIL_BYTES);
    const t0 = performance.now();
    const s = new HistoryStore(long);
    const ms = performance.now() - t0;
    const t1 = performance.now();
    const count = s.tail(1e9).length;
    const queryMs = performance.now() - t1;
    console.log(`history of ${(statSync(long).size / 2 ** 20).toFixed(1)} MiB: session found in ${ms.toFixed(0)} ms at start; ${count} entries kept, read in ${queryMs.toFixed(0)} ms on the first query`);
    expect(ms).toBeLessThan(queryMs);
    expect(s.session).toBe(2002);
    expect(s.tail(1)[0].input).toMatch(/\/\/ 2001\.20$/);
    expect(s.range(-1, 1).length).toBe(20);
    const kept = s.tail(1e9);
    expect(kept.length).toBeLessThan(2000 * 20);
    expect(kept.some((e) => e.input === "first ever")).toBe(false);
    // Every kept entry is whole: none comes from the line the read started inside.
    for (const e of kept) expect(e.input).toMatch(/^const v = .* \/\/ \d+\.\d+$/);
    s.add(1, "next");
    expect(new HistoryStore(long).tail(1)[0]).toMatchObject({ session: 2002, line: 1, input: "next" });
  });

  it("lives under $IBCC_DATA_DIR when set, else ~/.local/share/ibcc", () => {
    const saved = process.env.IBCC_DATA_DIR;
    process.env.IBCC_DATA_DIR = "/some/where";
    expect(defaultHistoryPath()).toBe("/some/where/history.jsonl");
    delete process.env.IBCC_DATA_DIR;
    expect(defaultHistoryPath()).toMatch(/\/ibcc\/history\.jsonl$/);
    if (saved !== undefined) process.env.IBCC_DATA_DIR = saved;
  });
});
