/**
 * One output replaced in place at a fixed interval until a time limit or an
 * interrupt: the live view of a map.
 */
import type { CellIO } from "../kernel/plugin.js";
import { ioOr } from "./session.js";
import { inWatch, newWatch, ReplayEnded } from "./capture/watching.js";
import { replaying } from "./capture/mode.js";

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
  // Replayed frames are drawn as fast as allowed: the recording's frames end the watch.
  const every = replaying() ? 50 : Math.max(50, options.every ?? 1000);
  const signals = [io.signal, ...(options.signal ? [options.signal] : [])];
  const end = options.for !== undefined ? Date.now() + options.for : Infinity;
  // Frames are marked for capture and replay (a replayed watch ends with its recording).
  const id = newWatch();
  const draw = () => inWatch(id, frame);
  const handle = await io.display(displayable(draw()));
  let frames = 1;
  while (!signals.some((s) => s.aborted)) {
    const left = end - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(every, left), signals);
    let next: unknown;
    try {
      next = draw();
    } catch (e) {
      if (e instanceof ReplayEnded) break;
      // The program was detached (or its map went away) while watching: stop, and say so.
      io.stream("stderr", `watch stopped: ${(e as Error).message}\n`);
      break;
    }
    await handle.update(displayable(next));
    frames++;
  }
  return frames;
}
