/**
 * The kernel's side of PluginHost.runningCell: the IO of the cell whose code
 * is running now, as the cell scope follows it through awaits, timers and
 * callbacks; a plain CellIO, so plugins see nothing of the engine's scope.
 */
import type { CellIO } from "../io.js";
import { currentScope } from "./scope.js";

export function runningCell(): CellIO | undefined {
  const scope = currentScope();
  if (!scope) return undefined;
  const io = scope.io;
  return {
    display: (v, o) => io.display(v, o),
    stream: (n, t) => io.stream(n, t),
    clearOutput: (w) => io.clearOutput(w),
    signal: scope.signal,
    startedAt: scope.startedAt,
  };
}
