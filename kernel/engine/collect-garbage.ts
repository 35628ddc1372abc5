/**
 * A full garbage collection of the calling isolate, on request (%memory
 * --collect). V8 otherwise lets garbage pile up to a limit it sets from the
 * live size and how cheap its collections have been: in a burst of cells the
 * language worker's heap, ~75 MB live, grew to ~290 MB before one. Node gives
 * `gc` only with --expose-gc; a context made while the flag is set keeps its
 * `gc`, and the flag is cleared at once so that no other context gets one.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let gc: (() => void) | undefined;

export function collectGarbage(): void {
  if (!gc) {
    const given = (globalThis as { gc?: () => void }).gc;
    if (typeof given === "function") gc = given;
    else {
      setFlagsFromString("--expose-gc");
      try {
        gc = runInNewContext("gc") as () => void;
      } finally {
        setFlagsFromString("--no-expose-gc");
      }
    }
  }
  gc();
}
