/**
 * Which watch is drawing a frame now. A recorded watch's frames are marked
 * with it, so that a replayed watch draws exactly the recorded frames (its
 * timing may differ) and reads after it get the reads made after it.
 */
let nextId = 1;
let current: number | undefined;

export const newWatch = (): number => nextId++;

/** Runs one frame of watch `id`. */
export function inWatch<T>(id: number, frame: () => T): T {
  const outer = current;
  current = id;
  try {
    return frame();
  } finally {
    current = outer;
  }
}

export const watchNow = (): number | undefined => current;

/** Thrown by a replayed read inside a watch once the recorded watch's frames are used up. */
export class ReplayEnded extends Error {
  constructor() {
    super("the recorded watch ended");
  }
}
