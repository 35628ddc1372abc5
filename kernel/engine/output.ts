/**
 * The one place where a cell's values become mime bundles: its result, what
 * it passes to display() and to a handle's update, and what magics and
 * plugins display. The protocol layer below gets DisplayData only.
 *
 * Why here, in the language layer, and not behind the protocol's ExecutionIO:
 * rendering runs the cell's own code (a Symbol.for("Jupyter.display") method
 * made in the cell's realm, maybe async, free to throw), and the engine is
 * where the cell's code runs and its errors become tracebacks; a cell's
 * result is rendered here in any case (the Engine hands the protocol layer
 * DisplayData), so with display() going the same way a value looks the same
 * whichever way it is shown; and the protocol layer is left with plain data
 * it can send, limit and record without knowing what made it. The display
 * layer is part of kernel/ and always built, so no stand-in renderer is needed.
 */
import { randomUUID } from "node:crypto";
import { toDisplayData } from "../display/bundle.js";
import type { ExecutionIO } from "../engine.js";
import type { CellIO, DisplayData, DisplayHandle } from "../io.js";

/** How a value shows: its own bundle, or util.inspect text. */
export function render(value: unknown): Promise<DisplayData> {
  return toDisplayData(value);
}

/** What code running in a cell sends output through: a CellIO over the protocol's ExecutionIO. */
export interface CellOutput extends CellIO {
  readonly executionCount: number;
  input(prompt: string, password?: boolean): Promise<string>;
}

export function cellOutput(io: ExecutionIO): CellOutput {
  const show = async (value: unknown, displayId: string, update: boolean): Promise<void> => {
    io.display(await render(value), { displayId, update });
  };
  return {
    executionCount: io.executionCount,
    signal: io.signal,
    async display(value: unknown, options?: { displayId?: string }): Promise<DisplayHandle> {
      const displayId = options?.displayId ?? randomUUID();
      await show(value, displayId, false);
      return { displayId, update: (next: unknown) => show(next, displayId, true) };
    },
    stream: (name, text) => io.stream(name, text),
    clearOutput: (wait) => io.clearOutput(wait),
    input: (prompt, password) => io.input(prompt, password),
  };
}
