/**
 * Job: what %capture costs the read it records. A 1M-entry u64 -> u64 hash
 * read through Table (decoded rows and columns) by a plain program and by the
 * same program recorded (one copy of the read's bytes on the reading thread;
 * Arrow, Parquet and the file on the writer thread, timed apart), interleaved;
 * and a getppid workload's events through events() with and without capture,
 * by the consumer's CPU time per event.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Module, Program as NativeProgram } from "../../native/types.js";
import { compileEventCodec } from "../../native/codec-event.js";
import { Program } from "../../magics/program.js";
import { blockSpec } from "../../magics/spec/block.js";
import type { NativeApi } from "../../magics/native-api.js";
import { mode } from "../../magics/capture/mode.js";
import { recordProgram } from "../../magics/capture/record.js";
import { flush } from "../../magics/capture/writer.js";
import { readManifest } from "../../magics/capture/manifest.js";
import { bpfText, FILL_BASE } from "../lib/bpf.js";
import { binding, why } from "../lib/ibcc.js";
import type { Job, JobContext, Row } from "../lib/row.js";
import { median, nowMs } from "../lib/stats.js";
import { startWorkload } from "../lib/workload.js";

const TARGET = 1.2;

/** CPU time of the main (reading) thread alone, in microseconds: the writer thread's work is timed apart. */
function mainThreadCpuUs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(f[11]) + Number(f[12])) * 1e6) / 100;
}

function programOf(mod: Module, fn: string, prog: NativeProgram, api: NativeApi, body: string, codecs = new Map()): Program {
  return new Program("bench", blockSpec("bench", body), mod, new Map([[fn, prog]]), [], codecs, api);
}

const block = (body: string) => ({ args: "bench", body, headerLine: 1 });

function vs(plain: number[], captured: number[]): string {
  const x = median(captured) / median(plain);
  return `${x.toFixed(2)}x the plain read (target <= ${TARGET}x: ${x <= TARGET ? "met" : "MISSED"})`;
}

async function maps(ctx: JobContext, dir: string, entries: number, reps: number): Promise<Row[]> {
  const b = await binding();
  const api = b as unknown as NativeApi;
  const body = bpfText("big_hash.c");
  const mod = await b.compile(body, { cflags: [`-DENTRIES=${entries}`, `-DBASE=${FILL_BASE}ULL`] });
  try {
    const fn = "tracepoint__syscalls__sys_enter_getpgid";
    const prog = await mod.load(fn, "tracepoint");
    const att = prog.attachTracepoint("syscalls", "sys_enter_getpgid");
    execFileSync(ctx.bin.fill, [String(entries)]);
    att.close();
    const plain = programOf(mod, fn, prog, api, body).table("big");
    mode.capturing = true;
    mode.dir = dir;
    const recorded = recordProgram(programOf(mod, fn, prog, api, body), block(body), api).table("big");
    const t = { plainRows: [] as number[], capRows: [] as number[], plainCols: [] as number[], capCols: [] as number[], write: [] as number[] };
    const time = (f: () => { length?: number; count?: number }) => {
      const t0 = nowMs();
      const r = f();
      const n = r.length ?? r.count;
      if (n !== entries) throw new Error(`read ${n} of ${entries} entries`);
      return nowMs() - t0;
    };
    for (let r = 0; r < reps; r++) {
      t.plainRows.push(time(() => plain.entries()));
      const w0 = nowMs();
      t.capRows.push(time(() => recorded.entries()));
      await flush();
      t.write.push(nowMs() - w0);
      t.plainCols.push(time(() => plain.entriesColumnar()));
      t.capCols.push(time(() => recorded.entriesColumnar()));
      await flush();
    }
    mode.capturing = false;
    const m = readManifest(dir)!;
    const file = m.runs.at(-1)!.captures[0].file;
    const mb = statSync(join(dir, file)).size / 1e6;
    const label = entries === 1_000_000 ? "1M" : `${entries / 1000}k`;
    return [
      { job: `capture: ${label} hash, entries()`, unit: "ms", ibcc: t.plainRows, note: "plain Table read, decoded rows" },
      { job: `capture: ${label} hash, entries() recorded`, unit: "ms", ibcc: t.capRows, note: vs(t.plainRows, t.capRows) },
      { job: `capture: ${label} hash, entriesColumnar()`, unit: "ms", ibcc: t.plainCols, note: "plain Table read, columns" },
      { job: `capture: ${label} hash, entriesColumnar() recorded`, unit: "ms", ibcc: t.capCols, note: vs(t.plainCols, t.capCols) },
      { job: `capture: ${label} hash, read + file written`, unit: "ms", ibcc: t.write, note: `until the Parquet file is on disk (writer thread): ${mb.toFixed(1)} MB zstd` },
    ];
  } finally {
    mode.capturing = false;
    mod.close();
  }
}

async function eventsRun(ctx: JobContext, dir: string, seconds: number, capture: boolean): Promise<{ events: number; usPerEvent: number; ms: number }> {
  const b = await binding();
  const api = b as unknown as NativeApi;
  const w = await startWorkload(ctx.bin.getppid_loop, seconds);
  const body = bpfText("events.c");
  const mod = await b.compile(body, { cflags: [`-DPID=${w.pid}`] });
  try {
    const fn = "tracepoint__syscalls__sys_enter_getppid";
    const prog = await mod.load(fn, "tracepoint");
    prog.attachTracepoint("syscalls", "sys_enter_getppid");
    const codecs = new Map([["events", compileEventCodec(["ts#unsigned long long", "pid#unsigned int", "tid#unsigned int", "comm#char [16]"])]]);
    let p = programOf(mod, fn, prog, api, body, codecs);
    mode.capturing = capture;
    mode.dir = dir;
    if (capture) p = recordProgram(p, block(body), api);
    const stream = p.events("events");
    let n = 0;
    const cpu0 = mainThreadCpuUs();
    const pump = (async () => {
      for await (const _ of stream) n++;
    })();
    w.go();
    await w.done;
    await new Promise((r) => setTimeout(r, 200));
    stream.close();
    await pump;
    const cpu = mainThreadCpuUs() - cpu0;
    const w0 = nowMs();
    await flush();
    mode.capturing = false;
    return { events: n, usPerEvent: cpu / Math.max(n, 1), ms: nowMs() - w0 };
  } finally {
    mode.capturing = false;
    mod.close();
  }
}

export const job: Job = {
  name: "capture",
  async run(ctx) {
    const dir = mkdtempSync(join(tmpdir(), "ibcc-bench-capture-"));
    const rows: Row[] = [];
    try {
      ctx.log("capture: map reads");
      rows.push(...(await maps(ctx, dir, ctx.quick ? 200_000 : 1_000_000, ctx.quick ? 3 : 5)));
      ctx.log("capture: events");
      const seconds = ctx.quick ? 1.5 : 6;
      const plain: number[] = [], cap: number[] = [], counts: number[] = [], write: number[] = [];
      for (let r = 0; r < (ctx.quick ? 1 : 2); r++) {
        const a = await eventsRun(ctx, dir, seconds, false);
        const c = await eventsRun(ctx, dir, seconds, true);
        plain.push(a.usPerEvent);
        cap.push(c.usPerEvent);
        counts.push(a.events, c.events);
        write.push(c.ms);
      }
      const k = Math.round(median(counts) / 1000);
      rows.push(
        { job: `capture: events(), ${k}k events, consumer CPU`, unit: "us/ev", ibcc: plain, note: "plain stream: the consumer counts; the reading thread's CPU" },
        { job: `capture: events() recorded, consumer CPU`, unit: "us/ev", ibcc: cap, note: vs(plain, cap) },
        { job: `capture: events file written after close`, unit: "ms", ibcc: write, note: "Arrow + Parquet on the writer thread" },
      );
    } catch (e) {
      rows.push({ job: "capture", unit: "", note: "ibcc n/a: " + why(e) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return rows;
  },
};
