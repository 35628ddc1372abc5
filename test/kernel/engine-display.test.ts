/**
 * The Jupyter.display convention (toDisplayData) and the rich-text globals,
 * including values whose display method is defined in a cell (another realm).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isDisplayable, toDisplayData } from "../../kernel/display/bundle.js";
import { html, md, svg, vegalite } from "../../kernel/display/wrappers.js";
import type { Engine } from "../../kernel/engine.js";
import { createEngine } from "../../kernel/engine/index.js";
import { recordingIO } from "./engine-io.js";

const DISPLAY = Symbol.for("Jupyter.display");

describe("toDisplayData", () => {
  it("uses a plain bundle, sync or async", async () => {
    expect(await toDisplayData({ [DISPLAY]: () => ({ "text/html": "<i>x</i>", "text/plain": "x" }) })).toEqual({
      data: { "text/html": "<i>x</i>", "text/plain": "x" },
    });
    expect(await toDisplayData({ [DISPLAY]: async () => ({ "text/markdown": "*x*" }) })).toEqual({ data: { "text/markdown": "*x*" } });
  });

  it("uses data and metadata when the method returns both", async () => {
    const value = { [DISPLAY]: () => ({ data: { "image/png": "AAAA" }, metadata: { "image/png": { width: 10 } } }) };
    expect(await toDisplayData(value)).toEqual({ data: { "image/png": "AAAA" }, metadata: { "image/png": { width: 10 } } });
  });

  it("shows anything else as util.inspect text: colours off, depth 4, bigint as 123n", async () => {
    expect(await toDisplayData(123n)).toEqual({ data: { "text/plain": "123n" } });
    expect(await toDisplayData("s")).toEqual({ data: { "text/plain": "'s'" } });
    expect((await toDisplayData({ a: { b: { c: { d: { e: { f: 1 } } } } } })).data["text/plain"]).toMatch(/e: \[Object\]/);
    expect((await toDisplayData({ a: { b: { c: { d: { e: 1 } } } } })).data["text/plain"]).toMatch(/d: \{ e: 1 \}/);
    expect(isDisplayable({ [DISPLAY]: 1 })).toBe(false);
    expect(isDisplayable(html("x"))).toBe(true);
  });

  it("wraps html, md, svg as tagged templates or strings, and vegalite specs", async () => {
    expect((await toDisplayData(html`<b>${1 + 2}</b>`)).data["text/html"]).toBe("<b>3</b>");
    expect((await toDisplayData(md("# h"))).data["text/markdown"]).toBe("# h");
    expect((await toDisplayData(svg`<svg/>`)).data["image/svg+xml"]).toBe("<svg/>");
    const chart = await toDisplayData(vegalite({ mark: "bar", data: { values: [{ a: 1 }] }, encoding: { x: { field: "a", type: "quantitative" } } }));
    expect(chart.data["application/vnd.vegalite.v5+json"]).toMatchObject({ $schema: "https://vega.github.io/schema/vega-lite/v5.json", mark: "bar" });
    expect(chart.data["text/html"]).toBeUndefined();
    expect(typeof chart.data["text/plain"]).toBe("string");
  });
});

describe("in cells", () => {
  let engine: Engine;
  beforeAll(() => {
    engine = createEngine({ plugins: [], typeCheck: false });
  });
  afterAll(() => engine.shutdown());

  it("renders a class defined in a cell through its Jupyter.display method", async () => {
    const code = [
      "class Badge {",
      "  constructor(readonly label: string) {}",
      "  [Symbol.for('Jupyter.display')]() {",
      "    return { 'text/html': `<span>${this.label}</span>`, 'text/plain': this.label }",
      "  }",
      "}",
      "new Badge('ok')",
    ].join("\n");
    expect(await engine.execute(code, recordingIO())).toEqual({
      status: "ok",
      result: { data: { "text/html": "<span>ok</span>", "text/plain": "ok" } },
    });
  });

  it("keeps output in the order the cell made it, displays and console alike", async () => {
    const io = recordingIO();
    await engine.execute("console.log('one')\nconst h = display(html`two`)\nconsole.log('three')\nh.update('four')\nconsole.error('five')\nclearOutput(true)", io);
    expect(io.sent.map((s) => (s.type === "stream" ? s.text.trim() : s.type === "clear" ? "clear" : s.data.data["text/plain"]))).toEqual([
      "one",
      "two",
      "three",
      "'four'",
      "five",
      "clear",
    ]);
  });

  it("displays values through display() and waits for them before the cell ends", async () => {
    const io = recordingIO();
    await engine.execute("display(html`<p>a</p>`)\ndisplay(new Badge('b'))", io);
    expect(io.sent.map((s) => s.type === "display" && s.data.data["text/html"])).toEqual(["<p>a</p>", "<span>b</span>"]);
  });

  it("shows nothing as the result of a cell ending in display(), awaited or not; the handle still updates", async () => {
    const io = recordingIO();
    const out = await engine.execute("const dh = await display(html`<p>x</p>`)\nawait display(html`<p>y</p>`)", io);
    expect(out).toEqual({ status: "ok" });
    expect(io.sent.map((s) => s.type === "display" && s.data.data["text/html"])).toEqual(["<p>x</p>", "<p>y</p>"]);
    expect(await engine.execute("display('z')", recordingIO())).toEqual({ status: "ok" });
    // The handle keeps its first cell's output channel; update_display_data finds the output by id.
    const later = await engine.execute("await dh.update('w')\ndh.displayId", recordingIO());
    expect(later).toMatchObject({ status: "ok", result: { data: { "text/plain": expect.stringMatching(/^'[\w-]+'$/) } } });
    expect(io.sent.at(-1)).toMatchObject({ type: "update", data: { data: { "text/plain": "'w'" } } });
  });
});
