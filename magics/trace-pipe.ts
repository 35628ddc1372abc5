/**
 * bpf_trace_printk output: lines of tracefs's trace_pipe streamed into the
 * running cell until a time limit or an interrupt. The pipe is read
 * non-blocking and polled, so that stopping never waits on a blocked read.
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

/** Resolves with the number of lines read. */
export async function tracePipe(options: TracePipeOptions = {}): Promise<number> {
  const io = ioOr(options.io);
  const signals = [io.signal, ...(options.signal ? [options.signal] : [])];
  const fd = openSync(join(TRACEFS, "trace_pipe"), constants.O_RDONLY | constants.O_NONBLOCK);
  const end = options.for !== undefined ? Date.now() + options.for : Infinity;
  const buf = Buffer.alloc(64 * 1024);
  let partial = "";
  let lines = 0;
  try {
    while (!signals.some((s) => s.aborted) && Date.now() < end) {
      let n = 0;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
      }
      if (n > 0) {
        const text = partial + buf.toString("utf8", 0, n);
        const parts = text.split("\n");
        partial = parts.pop() ?? "";
        lines += parts.length;
        if (options.onLine) parts.forEach(options.onLine);
        else if (parts.length) io.stream("stdout", parts.join("\n") + "\n");
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
  if (partial) {
    lines++;
    if (options.onLine) options.onLine(partial);
    else io.stream("stdout", partial + "\n");
  }
  return lines;
}
