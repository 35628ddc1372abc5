/**
 * bpf_trace_printk output: lines of tracefs's trace_pipe streamed into the
 * running cell until a time limit or an interrupt. The pipe is read
 * non-blocking and polled, so that stopping never waits on a blocked read.
 *
 * trace_pipe is one pipe for the whole machine, and its lines carry no
 * program id, so they cannot be told apart by program: what is already
 * buffered (left by earlier programs) is drained before the cell's own
 * reading starts, and the first reader in a kernel says once that lines from
 * other programs still show.
 */
import { closeSync, constants, openSync, readSync } from "node:fs";
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

/** Resolves with the number of lines read. */
export async function tracePipe(options: TracePipeOptions = {}): Promise<number> {
  const io = ioOr(options.io);
  const signals = [io.signal, ...(options.signal ? [options.signal] : [])];
  const fd = openSync(join(TRACEFS, "trace_pipe"), constants.O_RDONLY | constants.O_NONBLOCK);
  const end = options.for !== undefined ? Date.now() + options.for : Infinity;
  const buf = Buffer.alloc(64 * 1024);
  let partial = "";
  let lines = 0;
  const emit = (parts: string[]): void => {
    const shown = outputLines(parts);
    lines += shown.length;
    if (options.onLine) shown.forEach(options.onLine);
    else if (shown.length) io.stream("stdout", shown.join("\n") + "\n");
  };
  try {
    while (readAvailable(fd, buf) > 0) {
      // Lines from before this cell: dropped.
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
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, Math.min(options.every ?? 100, Math.max(0, end - Date.now())));
        function done() {
          clearTimeout(t);
          for (const s of signals) s.removeEventListener("abort", done);
          resolve();
        }
        for (const s of signals) s.addEventListener("abort", done, { once: true });
      });
    }
  } finally {
    closeSync(fd);
  }
  if (partial) emit([partial]);
  return lines;
}
