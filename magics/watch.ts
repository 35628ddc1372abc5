/**
 * One output replaced in place at a fixed interval until a time limit or an
 * interrupt: the live view of a map.
 */
import type { CellIO } from "../kernel/plugin.js";
import { ioOr } from "./session.js";

export interface WatchOptions {
  /** Milliseconds between updates (default 1000). */
  every?: number;
  /** Total milliseconds (default: until interrupted). */
  for?: number;
  io?: CellIO;
  /** Stops the watch besides the cell's interrupt. */
  signal?: AbortSignal;
}

function sleep(ms: number, signals: AbortSignal[]): Promise<void> {
  return new Promise((resolve) => {
    if (signals.some((s) => s.aborted)) return resolve();
    const done = () => {
      clearTimeout(t);
      for (const s of signals) s.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    for (const s of signals) s.addEventListener("abort", done, { once: true });
  });
}

const DISPLAY = Symbol.for("Jupyter.display");

/** Plain display data ({ data, metadata }) as a value that displays itself. */
export function displayable(v: unknown): unknown {
  if (v && typeof v === "object" && !(DISPLAY in v) && "data" in v && typeof (v as { data: unknown }).data === "object")
    return { [DISPLAY]: () => v };
  return v;
}

/** Resolves with the number of frames drawn, when time is up or the cell is interrupted. */
export async function watch(frame: () => unknown, options: WatchOptions = {}): Promise<number> {
  const io = ioOr(options.io);
  const every = Math.max(50, options.every ?? 1000);
  const signals = [io.signal, ...(options.signal ? [options.signal] : [])];
  const end = options.for !== undefined ? Date.now() + options.for : Infinity;
  const handle = await io.display(displayable(frame()));
  let frames = 1;
  while (!signals.some((s) => s.aborted)) {
    const left = end - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(every, left), signals);
    let next: unknown;
    try {
      next = frame();
    } catch (e) {
      // The program was detached (or its map went away) while watching: stop, and say so.
      io.stream("stderr", `watch stopped: ${(e as Error).message}\n`);
      break;
    }
    await handle.update(displayable(next));
    frames++;
  }
  return frames;
}
