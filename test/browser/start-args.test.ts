/** `ibcc start` argument handling and the course's working copy (the server itself is exercised in notebook.test.ts). */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copyCourse } from "../../kernel/course.js";
import { parseStartArgs } from "../../kernel/start.js";

const notebooks = resolve(import.meta.dirname, "../../notebooks");
const work = mkdtempSync(join(tmpdir(), "ibcc-course-test-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("ibcc start arguments", () => {
  it("defaults to port 8888 and the course's working copy (~/ibcc-course or $IBCC_COURSE_DIR), made from notebooks/", () => {
    const saved = process.env.IBCC_COURSE_DIR;
    delete process.env.IBCC_COURSE_DIR;
    try {
      const o = parseStartArgs([]);
      expect(o.port).toBe(8888);
      expect(o.notebookDir).toBe(join(process.env.HOME!, "ibcc-course"));
      expect(o.courseFrom).toBe(notebooks);
      expect(o.extra).toEqual([]);
      process.env.IBCC_COURSE_DIR = join(work, "elsewhere");
      expect(parseStartArgs([]).notebookDir).toBe(join(work, "elsewhere"));
    } finally {
      if (saved === undefined) delete process.env.IBCC_COURSE_DIR;
      else process.env.IBCC_COURSE_DIR = saved;
    }
  });

  it("takes --port, --notebook-dir (opened as it is, no copy) and passes the rest to Jupyter", () => {
    const o = parseStartArgs(["--port=9999", "--notebook-dir", "/tmp", "--NotebookApp.log_level=DEBUG", "--", "--debug"]);
    expect(o).toEqual({ port: 9999, notebookDir: "/tmp", extra: ["--NotebookApp.log_level=DEBUG", "--debug"] });
  });

  it("refuses a bad port", () => {
    expect(() => parseStartArgs(["--port", "http"])).toThrow(/bad port/);
    expect(() => parseStartArgs(["--port"])).toThrow(/needs a value/);
  });
});

describe("the course's working copy", () => {
  it("copies the notebooks and their files, not the build sources, then adds only what is missing", () => {
    const to = join(work, "course");
    const added = copyCourse(notebooks, to);
    expect(added).toContain("04-histograms.ipynb");
    expect(added).toContain(join("c", "readlat.c"));
    expect(readdirSync(to)).not.toContain("src");
    expect(readdirSync(to)).not.toContain("tools");

    const mine = join(to, "04-histograms.ipynb");
    writeFileSync(mine, "{\"my\": \"edits\"}");
    rmSync(join(to, "01-hello-probes.ipynb"));
    expect(copyCourse(notebooks, to)).toEqual(["01-hello-probes.ipynb"]);
    expect(readFileSync(mine, "utf8")).toBe("{\"my\": \"edits\"}");
    expect(existsSync(join(to, "01-hello-probes.ipynb"))).toBe(true);
  });
});
