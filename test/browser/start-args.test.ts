/** `ibcc start` argument handling (the server itself is exercised in notebook.test.ts). */
import { describe, expect, it } from "vitest";
import { resolve } from "node:path";
import { parseStartArgs } from "../../kernel/start.js";

describe("ibcc start arguments", () => {
  it("defaults to port 8888 and the repository's notebooks/", () => {
    const o = parseStartArgs([]);
    expect(o.port).toBe(8888);
    expect(o.notebookDir).toBe(resolve(import.meta.dirname, "../../notebooks"));
    expect(o.extra).toEqual([]);
  });

  it("takes --port, --notebook-dir and passes the rest to Jupyter", () => {
    const o = parseStartArgs(["--port=9999", "--notebook-dir", "/tmp", "--NotebookApp.log_level=DEBUG", "--", "--debug"]);
    expect(o).toEqual({ port: 9999, notebookDir: "/tmp", extra: ["--NotebookApp.log_level=DEBUG", "--debug"] });
  });

  it("refuses a bad port", () => {
    expect(() => parseStartArgs(["--port", "http"])).toThrow(/bad port/);
    expect(() => parseStartArgs(["--port"])).toThrow(/needs a value/);
  });
});
