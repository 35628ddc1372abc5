/**
 * Job 4: a 32-byte event per getppid() of a workload process, delivered to a
 * consumer that only counts. Figures: events per second delivered, the share
 * lost, and how much slower the workload runs while traced.
 */
import { readFileSync } from "node:fs";
import type { EventReader } from "../../native/types.js";
import { bpfText } from "../lib/bpf.js";
import { binding, why } from "../lib/ibcc.js";
import { runBcc } from "../lib/python.js";
import type { Job, JobContext, Row } from "../lib/row.js";
import { startWorkload, untracedRate } from "../lib/workload.js";

type Mode = "perf" | "perf64" | "ring";
const RING_PAGES = 128;

interface Run {
  rate: number;
  lostPct: number;
  workRate: number;
  slowdown: number;
  /** The consumer process's CPU time while the workload ran, in % of one core. */
  cpuPct: number;
  /** The consumer's voluntary context switches (its wake-ups) per 1000 delivered events. */
  wakePerK: number;
  /** Ring buffers, ibcc: the fullest the ring was at a read, in %. */
  fillPct?: number;
}

function voluntarySwitches(): number {
  const m = /^voluntary_ctxt_switches:\s*(\d+)/m.exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) : NaN;
}

function slowdown(r: Run, untracedRate: number): Run {
  return { ...r, slowdown: untracedRate / r.workRate };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function ibccRun(ctx: JobContext, mode: Mode, seconds: number): Promise<Run> {
  const b = await binding();
  const w = await startWorkload(ctx.bin.getppid_loop, seconds);
  const cflags = [`-DPID=${w.pid}`];
  if (mode === "ring") cflags.push("-DRING", `-DRING_PAGES=${RING_PAGES}`);
  const mod = await b.compile(bpfText("events.c"), { cflags });
  try {
    const prog = await mod.load("tracepoint__syscalls__sys_enter_getppid", "tracepoint");
    prog.attachTracepoint("syscalls", "sys_enter_getppid");
    let events = 0;
    let lost = 0;
    // The packed form: one Buffer per wake-up, as BCC's callback gets raw bytes.
    const onBatch = {
      onPacked: (_data: Buffer, offsets: Uint32Array, l: number) => {
        events += offsets.length - 1;
        lost += l;
      },
    };
    const map = mod.map("events");
    // wakeup 64 with BCC's default size (8 pages a CPU), like for like; "perf" is ibcc's defaults.
    const reader: EventReader =
      mode === "ring" ? b.openRingBuffer(map, onBatch) : b.openPerfBuffer(map, onBatch, mode === "perf64" ? { wakeupEvents: 64, pageCount: 8 } : {});
    const cpu0 = process.cpuUsage();
    const sw0 = voluntarySwitches();
    w.go();
    const report = await w.done;
    const cpu = process.cpuUsage(cpu0);
    const switches = voluntarySwitches() - sw0;
    // Events still below a wake-up threshold are not signalled; give the loop a moment.
    await sleep(100);
    lost = Math.max(lost, reader.lost ?? 0);
    reader.close();
    const dropped = mod.map("dropped").lookup(Buffer.alloc(4))?.readBigUInt64LE() ?? 0n;
    lost += Number(dropped);
    const fill = (reader as { peakFill?: number }).peakFill;
    return {
      rate: events / report.seconds, lostPct: (100 * lost) / report.calls, workRate: report.rate, slowdown: NaN,
      cpuPct: (cpu.user + cpu.system) / 1e4 / report.seconds, wakePerK: (1000 * switches) / Math.max(events, 1),
      fillPct: fill === undefined ? undefined : 100 * fill,
    };
  } finally {
    mod.close();
  }
}

async function bccRun(ctx: JobContext, mode: Mode, seconds: number): Promise<Run> {
  const r = await runBcc<Record<string, number>>("events", { mode, seconds, workload: ctx.bin.getppid_loop, ring_pages: RING_PAGES });
  return { rate: r.events / r.seconds, lostPct: (100 * r.lost) / r.calls, workRate: r.rate, slowdown: NaN, cpuPct: (100 * r.cpu) / r.seconds, wakePerK: (1000 * r.switches) / Math.max(r.events, 1) };
}

const LABEL: Record<Mode, string> = {
  perf: "perf buffer, defaults",
  perf64: "perf buffer, wakeup 64, 8 pages",
  ring: `ring buffer, ${RING_PAGES} pages`,
};

export const job: Job = {
  name: "events",
  async run(ctx) {
    const seconds = ctx.quick ? 1 : 1.5;
    const reps = ctx.quick ? 1 : 2;
    // Other work on the machine moves the workload's own rate, so each traced run
    // is compared with an untraced run made just before it.
    const base: number[] = [];
    const untraced = async () => {
      const r = await untracedRate(ctx.bin.getppid_loop, seconds);
      base.push(r);
      return r;
    };
    const rows: Row[] = [];
    for (const mode of ["perf", "perf64", "ring"] as Mode[]) {
      const bcc: Run[] = [];
      const ib: Run[] = [];
      let missing = "";
      for (let i = 0; i < reps; i++) {
        ctx.log(`events: ${LABEL[mode]}, BCC`);
        let b = await untraced();
        bcc.push(slowdown(await bccRun(ctx, mode, seconds), b));
        if (missing) continue;
        ctx.log(`events: ${LABEL[mode]}, ibcc`);
        b = await untraced();
        try {
          ib.push(slowdown(await ibccRun(ctx, mode, seconds), b));
        } catch (e) {
          missing = "ibcc n/a: " + why(e);
        }
      }
      const col = (runs: Run[], f: (r: Run) => number) => (runs.length ? runs.map(f) : undefined);
      const notes: Record<Mode, string> = {
        perf: "ibcc defaults (64 pages/CPU, wakeup 64 + 100 ms flush) vs BCC defaults (8 pages/CPU, wakeup 1)",
        perf64: "the same settings on both sides",
        ring: "ibcc reads a busy ring every 1-10 ms; BCC on every wake-up",
      };
      rows.push(
        { job: `${LABEL[mode]}: delivered`, unit: "ev/s", ibcc: col(ib, (r) => r.rate), bcc: col(bcc, (r) => r.rate), note: missing || notes[mode] },
        { job: `${LABEL[mode]}: traced workload rate (ceiling)`, unit: "calls/s", ibcc: col(ib, (r) => r.workRate), bcc: col(bcc, (r) => r.workRate), note: missing || "one event per call: no reader can deliver more than the traced program makes" },
        {
          job: `${LABEL[mode]}: lost`, unit: "%", ibcc: col(ib, (r) => r.lostPct), bcc: col(bcc, (r) => r.lostPct),
          note: missing || (mode === "ring" ? "the program's own count of failed submits: the kernel counts no ring drops" : "the kernel's lost-sample records"),
        },
        ...(mode === "ring"
          ? [{ job: `${LABEL[mode]}: peak fill at a read`, unit: "%", ibcc: col(ib, (r) => r.fillPct ?? NaN), note: missing || "EventReader.peakFill: how close the ring came to refusing submits" }]
          : []),
        { job: `${LABEL[mode]}: consumer wake-ups per 1k events`, unit: "", ibcc: col(ib, (r) => r.wakePerK), bcc: col(bcc, (r) => r.wakePerK), note: missing || "voluntary context switches of the consumer process" },
        { job: `${LABEL[mode]}: consumer CPU`, unit: "%", ibcc: col(ib, (r) => r.cpuPct), bcc: col(bcc, (r) => r.cpuPct), note: missing || "consumer process CPU time / workload time (100 = one core)" },
        { job: `${LABEL[mode]}: consumer CPU per event`, unit: "us", ibcc: col(ib, (r) => (r.cpuPct * 1e4) / r.rate), bcc: col(bcc, (r) => (r.cpuPct * 1e4) / r.rate), note: missing || "what one delivered event costs the consumer" },
        { job: `${LABEL[mode]}: workload slowdown`, unit: "x", ibcc: col(ib, (r) => r.slowdown), bcc: col(bcc, (r) => r.slowdown), note: missing || "untraced rate / traced rate, paired runs" },
      );
    }
    rows.unshift({ job: "getppid workload, untraced", unit: "calls/s", ibcc: base, bcc: base, note: "all untraced runs, in both columns" });
    return rows;
  },
};
