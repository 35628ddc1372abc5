/**
 * bpf_trace_printk output: lines of tracefs's trace_pipe streamed into the
 * running cell until a time limit or an interrupt. The pipe is read
 * non-blocking and polled, so that stopping never waits on a blocked read.
 *
 * trace_pipe is one pipe for the whole machine, and its lines carry no
 * program id, so they cannot be told apart by program. What is buffered when
 * reading starts is sorted by time: a marker written to trace_marker gives the
 * trace clock's "now", the cell's age takes it back to when the cell started,
 * and lines older than that (left by earlier cells and programs) are dropped,
 * while the cell's own (printed by its workload before `%trace_pipe`) show.
 * The first reader in a kernel says once that other programs' lines show too.
 */
import { randomBytes } from "node:crypto";
import { closeSync, constants, openSync, readSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CellIO } from "../kernel/plugin.js";
import { TRACEFS } from "./diagnostics/hooks.js";
import { ioOr } from "./session.js";

export interface TracePipeOptions {
  /** Stop after this many milliseconds (default: until interrupted). */
  for?: number;
  /** Poll interval in milliseconds (default 100). */
  every?: number;
  io?: CellIO;
  signal?: AbortSignal;
  /** Called with each line instead of streaming it to the cell. */
  onLine?: (line: string) => void;
}

export const SHARED_NOTE =
  "trace_pipe is shared by the whole machine: lines printed since this cell started by any BPF program " +
  "(other notebooks' too) show here; bpf_trace_printk lines carry no program id to tell them apart. " +
  "For output of this program alone, use a perf or ring buffer (NAME.events).\n";

let noted = false;

function readAvailable(fd: number, buf: Buffer): number {
  try {
    return readSync(fd, buf, 0, buf.length, null);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EAGAIN") return 0;
    throw e;
  }
}

/**
 * The kernel ends every trace line with a newline, and bpf_trace_printk
 * formats usually end with one too: the blank line between is the format's
 * own newline, not a line of output.
 */
function outputLines(parts: string[]): string[] {
  return parts.filter((line) => line.trim() !== "");
}

const MARK = "ibcc-mark-";
/** The timestamp field of a trace line: "  node-123  [001] ..... 3922.650038: ...". */
const STAMP = /\s(\d+\.\d+):\s/;
/** How long the marker may take to come through the pipe. */
const MARK_WAIT_MS = 1000;

/** Writes a marker into the trace; undefined when tracefs refuses (the marker is then not awaited). */
function writeMarker(): string | undefined {
  const mark = `${MARK}${process.pid}-${randomBytes(6).toString("hex")}`;
  try {
    writeFileSync(join(TRACEFS, "trace_marker"), mark);
    return mark;
  } catch {
    return undefined;
  }
}

/** Resolves with the number of lines read. */
export async function tracePipe(options: TracePipeOptions = {}): Promise<number> {
  const io = ioOr(options.io);
  const signals = [io.signal, ...(options.signal ? [options.signal] : [])];
  const since = io.startedAt ?? performance.now();
  const fd = openSync(join(TRACEFS, "trace_pipe"), constants.O_RDONLY | constants.O_NONBLOCK);
  const end = options.for !== undefined ? Date.now() + options.for : Infinity;
  const buf = Buffer.alloc(64 * 1024);
  let partial = "";
  let lines = 0;
  const emit = (parts: string[]): void => {
    // Markers are no one's output, whichever kernel wrote them.
    const shown = outputLines(parts).filter((l) => !l.includes(`tracing_mark_write: ${MARK}`));
    lines += shown.length;
    if (options.onLine) shown.forEach(options.onLine);
    else if (shown.length) io.stream("stdout", shown.join("\n") + "\n");
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        for (const s of signals) s.removeEventListener("abort", done);
        resolve();
      }
      for (const s of signals) s.addEventListener("abort", done, { once: true });
    });
  try {
    // What is buffered now: up to our marker, keep what the cell printed and drop what came before it.
    const mark = writeMarker();
    const markBy = Date.now() + (mark ? MARK_WAIT_MS : 0);
    const before: string[] = [];
    let markAt: number | undefined;
    while (markAt === undefined && !signals.some((s) => s.aborted)) {
      const n = readAvailable(fd, buf);
      if (n === 0) {
        if (Date.now() >= markBy) break;
        await sleep(10);
        continue;
      }
      const parts = (partial + buf.toString("utf8", 0, n)).split("\n");
      partial = parts.pop() ?? "";
      const at = mark ? parts.findIndex((l) => l.includes(mark)) : -1;
      if (at < 0) {
        before.push(...parts);
        continue;
      }
      markAt = Number(STAMP.exec(parts[at])?.[1]);
      before.push(...parts.slice(0, at));
      emit(keptSince(before, markAt - (performance.now() - since) / 1000));
      emit(parts.slice(at + 1));
    }
    if (!noted && !options.onLine) {
      noted = true;
      io.stream("stderr", SHARED_NOTE);
    }
    while (!signals.some((s) => s.aborted) && Date.now() < end) {
      const n = readAvailable(fd, buf);
      if (n > 0) {
        const parts = (partial + buf.toString("utf8", 0, n)).split("\n");
        partial = parts.pop() ?? "";
        emit(parts);
        continue;
      }
      await sleep(Math.min(options.every ?? 100, Math.max(0, end - Date.now())));
    }
  } finally {
    closeSync(fd);
  }
  if (partial) emit([partial]);
  return lines;
}

/** The lines stamped at or after `cutoff` (trace clock seconds); an unstamped line goes with the one before it. */
function keptSince(lines: string[], cutoff: number): string[] {
  if (!Number.isFinite(cutoff)) return [];
  let keep = false;
  return lines.filter((l) => {
    const stamp = STAMP.exec(l);
    if (stamp) keep = Number(stamp[1]) >= cutoff;
    return keep;
  });
}
