/**
 * Capture and replay end to end: a course-like notebook (histograms, an
 * event stream, a table, a watch, a snapshot) is executed by Debian's
 * nbclient as root with %capture on, then executed again in a process
 * without CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN, where it replays; both
 * runs must show the same charts' data and tables. The Parquet files are then
 * opened by DuckDB, an independent reader, whose counts and sums must match
 * what the notebook saw.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBInstance } from "@duckdb/node-api";
import { captureNotebook } from "./notebook.js";

const root = resolve(import.meta.dirname, "../..");
const cli = join(root, "dist/kernel/cli.js");
const runner = join(root, "test/notebooks/run_notebook.py");
const DROP = "-bpf,-perfmon,-sys_admin";

interface Output {
  output_type: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  metadata?: { ibcc?: Record<string, unknown> };
  ename?: string;
  evalue?: string;
}
interface Notebook {
  cells: { source: string | string[]; outputs: Output[] }[];
}

let work = "";
let env: NodeJS.ProcessEnv = {};

function run(args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(args[0], args.slice(1), { env, cwd: work, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 150_000);
    child.on("close", (status) => {
      clearTimeout(timer);
      done({ status, stderr });
    });
  });
}

const text = (t: string | string[] | undefined) => (Array.isArray(t) ? t.join("") : (t ?? ""));
const plain = (o: Output) => text(o.data?.["text/plain"] as string | string[] | undefined);

/** What a cell shows: its results' text and charts' specs, without where and when they were drawn. */
function shown(cell: Notebook["cells"][number]): unknown[] {
  return cell.outputs
    .filter((o) => o.output_type === "execute_result" || o.output_type === "display_data")
    .map((o) => ({ text: plain(o), chart: o.data?.["application/vnd.vegalite.v5+json"] }));
}

let recorded: Notebook;
let replayed: Notebook;
const dir = () => join(work, "caps");

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "ibcc-replay-"));
  const inst = spawnSync(process.execPath, [cli, "install", "--prefix", work], { encoding: "utf8" });
  if (inst.status !== 0) throw new Error(`kernelspec install failed: ${inst.stderr}${inst.stdout}`);
  env = {
    ...process.env,
    JUPYTER_PATH: join(work, "share", "jupyter"),
    JUPYTER_CONFIG_DIR: join(work, "config"),
    JUPYTER_RUNTIME_DIR: join(work, "runtime"),
    JUPYTER_DATA_DIR: join(work, "data"),
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
  };
  writeFileSync(join(work, "course.ipynb"), JSON.stringify(captureNotebook()));
  const rec = await run(["/usr/bin/python3", runner, "course.ipynb", "recorded.ipynb"]);
  if (rec.status !== 0) throw new Error(`recording run failed: ${rec.stderr}`);
  recorded = JSON.parse(readFileSync(join(work, "recorded.ipynb"), "utf8")) as Notebook;
  const rep = await run(["setpriv", `--inh-caps=${DROP}`, `--bounding-set=${DROP}`, "--", "/usr/bin/python3", runner, "course.ipynb", "replayed.ipynb"]);
  if (rep.status !== 0) throw new Error(`replay run failed: ${rep.stderr}`);
  replayed = JSON.parse(readFileSync(join(work, "replayed.ipynb"), "utf8")) as Notebook;
}, 320_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("capture and replay", () => {
  it("replays without BPF privileges and says so", () => {
    const streams = (nb: Notebook, i: number) => nb.cells[i].outputs.map((o) => text(o.text)).join("");
    expect(streams(recorded, 0)).toMatch(/capturing what %%bpf programs read/);
    expect(streams(replayed, 0)).toMatch(/replaying from .*this kernel cannot run BPF/);
    expect(streams(replayed, 1)).toMatch(/probe: replayed from capture .*index\.json \(run 1\), recorded on kernel \S+ \(libbcc [\d.]+\) at \d{4}-/);
  });

  it("shows the same events, charts, tables, watch frames and snapshot", () => {
    for (let i = 2; i <= 7; i++) {
      const want = shown(recorded.cells[i]);
      expect(want.length, `cell ${i} shows something`).toBeGreaterThan(0);
      expect(shown(replayed.cells[i]), `cell ${i}: ${text(recorded.cells[i].source).split("\n")[0]}`).toEqual(want);
    }
    expect(plain(recorded.cells[2].outputs.at(-1)!)).toMatch(/n: [1-9]\d*, pidSum: \d+/);
    expect(plain(recorded.cells[7].outputs.at(-1)!)).toMatch(/columns: 'pid,one,comm', some: true/);
    const chart = recorded.cells[3].outputs.find((o) => o.data?.["application/vnd.vegalite.v5+json"]);
    expect(chart?.metadata?.ibcc?.capture).toMatchObject({ file: "probe-1-dist-read0.parquet", dir: "caps", replayed: false });
    const again = replayed.cells[3].outputs.find((o) => o.data?.["application/vnd.vegalite.v5+json"]);
    expect(again?.metadata?.ibcc?.capture).toMatchObject({ file: "probe-1-dist-read0.parquet", replayed: true });
    // Replayed, the window ends when the read was recorded (the recording drew it just after).
    const end = (o: Output | undefined) => Date.parse((o?.metadata?.ibcc?.captureWindow as { end: string }).end);
    expect(end(again)).toBeLessThanOrEqual(end(chart));
    expect(end(again)).toBeGreaterThan(end(chart) - 2000);
  });

  it("says which data was never captured", () => {
    const err = (nb: Notebook, i: number) => nb.cells[i].outputs.find((o) => o.output_type === "error");
    expect(err(recorded, 9)).toBeUndefined();
    expect(err(replayed, 9)?.evalue).toMatch(/probe\.unread: the capture in .* holds no read of this map/);
    expect(err(replayed, 10)?.ename).toBe("NoCapture");
    expect(err(replayed, 10)?.evalue).toMatch(/other was never captured .*\(it holds probe\)/);
  });

  it("opens in DuckDB with the same row counts and sums", async () => {
    const index = JSON.parse(readFileSync(join(dir(), "index.json"), "utf8")) as {
      runs: { captures: { file: string; map: string; kind: string; rows: number }[] }[];
    };
    const files = index.runs[0].captures;
    const events = files.find((c) => c.kind === "events" && c.file.endsWith("events0.parquet"))!;
    const snapshot = files.filter((c) => c.map === "counts").at(-1)!;
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    const one = async (sql: string) => (await con.runAndReadAll(sql)).getRowObjectsJson()[0] as Record<string, string>;
    const ev = await one(`select count(*) as n, sum("event.pid") as pids, sum("event.one") as ones from read_parquet('${join(dir(), events.file)}')`);
    const seen = /n: (\d+), pidSum: (\d+), ones: (\d+)/.exec(plain(recorded.cells[2].outputs.at(-1)!))!;
    expect([ev.n, ev.pids, ev.ones].map(String)).toEqual([seen[1], seen[2], seen[3]]);
    expect(Number(ev.n)).toBe(events.rows);
    const snap = await one(`select count(*) as n, sum(value) as total from read_parquet('${join(dir(), snapshot.file)}')`);
    const saw = /rows: (\d+), sum: '(\d+)'/.exec(plain(recorded.cells[6].outputs.at(-1)!))!;
    expect([String(snap.n), String(snap.total)]).toEqual([saw[1], saw[2]]);
    const meta = await one(`select decode(value) as v from parquet_kv_metadata('${join(dir(), snapshot.file)}') where decode(key) = 'ibcc'`);
    expect(JSON.parse(meta.v)).toMatchObject({ program: "probe", map: "counts", kind: "read", kernelRelease: expect.any(String) });
    con.closeSync();
  });
});
