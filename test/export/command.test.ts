/**
 * `ibcc` as a person runs it: scripts/link-cli.sh (run by set-up) puts the
 * command on PATH, its help names the real commands, and `ibcc export` warns
 * about a notebook never run, renders the course's Markdown as Jupyter does,
 * wraps long output lines, and with --execute runs the notebook through
 * Debian's nbclient and the ibcc kernelspec before exporting.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, ROOT } from "../support/kernel-client.js";

const work = mkdtempSync(join(tmpdir(), "ibcc-command-"));
const bin = join(work, "bin");
const link = join(bin, "ibcc");
afterAll(() => rmSync(work, { recursive: true, force: true }));

const linkCli = () => execFileSync("bash", [join(ROOT, "scripts/link-cli.sh")], { env: { ...process.env, IBCC_LINK: link }, encoding: "utf8" });

/** `ibcc ARGS` found on PATH, as a shell finds it. */
function ibcc(args: string[], env: Record<string, string> = {}, cwd = work) {
  const r = spawnSync("ibcc", args, { cwd, encoding: "utf8", timeout: 240_000, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const cell = (source: string) => ({ cell_type: "code", id: Math.random().toString(36).slice(2, 10), metadata: {}, execution_count: null, outputs: [], source });
const TINY = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: "ibcc", display_name: "ibcc", language: "typescript" } },
  cells: [
    { cell_type: "markdown", id: "m1", metadata: {}, source: "# Tiny\n\nAt least 4 KiB, less than\n8. bpftrace prints the same rows." },
    cell("const answer = 6 * 7\nanswer"),
    cell(`console.error("${"long stderr line ".repeat(20)}")\nthrow new Error("${"a very long error message ".repeat(12)}")`),
  ],
};

describe("the ibcc command", () => {
  beforeAll(() => mkdirSync(bin, { recursive: true }));

  it("is put on PATH by set-up, said once, and pointed here again when it names another checkout", () => {
    expect(linkCli()).toContain(`\`ibcc\` is ${link} -> ${CLI}`);
    expect(readlinkSync(link)).toBe(CLI);
    expect(linkCli()).toBe("");
    rmSync(link);
    symlinkSync("/elsewhere/dist/kernel/cli.js", link);
    expect(linkCli()).toContain(CLI);
    expect(readlinkSync(link)).toBe(CLI);
  });

  it("shows help naming the real commands", () => {
    const help = ibcc(["--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/ibcc export \[--execute\] NOTEBOOK\.ipynb \[-o OUT\.html\]/);
    expect(help.out).toMatch(/~\/ibcc-course/);
    const exportHelp = ibcc(["export", "--help"]);
    expect(exportHelp.out).toMatch(/--execute +run the notebook first/);
    // The docs say the same command.
    const readme = readFileSync(join(ROOT, "README.md"), "utf8") + readFileSync(join(ROOT, "notebooks/README.md"), "utf8");
    for (const m of readme.matchAll(/`(ibcc [a-z]+)[^`]*`/g)) expect(help.out, m[0]).toContain(m[1]);
  });

  it("warns on stderr and in the page about a notebook never run", () => {
    const nb = join(work, "never.ipynb");
    writeFileSync(nb, JSON.stringify(TINY));
    const r = ibcc(["export", nb]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/warning: this notebook has not been run.*ibcc export --execute/);
    const page = readFileSync(join(work, "never.html"), "utf8");
    expect(page).toMatch(/class="not-run"[^>]*>Note: this notebook has not been run/);
    // CommonMark, as JupyterLab's marked: "8." inside a paragraph is text, not a list starting at 8.
    expect(page).toContain("<p>At least 4 KiB, less than\n8. bpftrace prints the same rows.</p>");
    expect(page).not.toMatch(/<ol start="8">/);
  });

  it("renders the course's own \"8.\" line as text", () => {
    const out = join(work, "histograms.html");
    const r = ibcc(["export", join(ROOT, "notebooks/04-histograms.ipynb"), "-o", out]);
    expect(r.code).toBe(0);
    const page = readFileSync(out, "utf8");
    expect(page).toMatch(/less than\n8\. bpftrace prints the same rows/);
    expect(page).not.toMatch(/<ol start="8">/);
  });

  it("runs a notebook with --execute against the installed ibcc kernelspec, then exports it", { timeout: 240_000 }, () => {
    const prefix = join(work, "prefix");
    expect(ibcc(["install", "--prefix", prefix]).code).toBe(0);
    const env = { JUPYTER_PATH: join(prefix, "share/jupyter"), JUPYTER_RUNTIME_DIR: join(work, "runtime") };
    const nb = join(work, "tiny.ipynb");
    writeFileSync(nb, JSON.stringify(TINY));
    const before = readFileSync(nb, "utf8");
    const r = ibcc(["export", "--execute", nb, "-o", join(work, "tiny.html")], env);
    expect(r.code, r.err).toBe(0);
    expect(r.err).not.toMatch(/not been run/);
    const page = readFileSync(join(work, "tiny.html"), "utf8");
    expect(page).toContain("In [1]:");
    expect(page).toMatch(/<pre class="text">42<\/pre>/);
    expect(page).toMatch(/<pre class="stream stderr">(long stderr line ){20}/);
    expect(page).toMatch(/<pre class="error">[\s\S]*a very long error message/);
    expect(page).toMatch(/pre\.stream, pre\.error, pre\.text \{ white-space: pre-wrap;/);
    expect(page).not.toContain('class="not-run"');
    expect(readFileSync(nb, "utf8")).toBe(before);

    const missing = ibcc(["export", "--execute", nb, "-o", join(work, "none.html")], { JUPYTER_PATH: join(work, "nothing"), JUPYTER_DATA_DIR: join(work, "nothing") });
    if (missing.code !== 0) expect(missing.err).toMatch(/kernelspec|ibcc install/);
    expect(existsSync(join(work, "none.html"))).toBe(missing.code === 0);
  });
});
