/**
 * The cell that is running now, for objects that outlive the cell that made
 * them (a Table's watch, a Program's event stream) and need somewhere to send
 * output and a signal to stop on. In the kernel the host says which cell runs;
 * magics driven directly (a script, a test) have only the IO they ran with.
 */
import type { CellIO, PluginHost } from "../kernel/plugin.js";

let host: PluginHost | undefined;
let lastMagicIO: CellIO | undefined;

export function useHost(h: PluginHost): void {
  host = h;
}

/** Records the IO a magic runs with, for use outside the kernel. */
export function setCurrentIO(io: CellIO): void {
  lastMagicIO = io;
}

/**
 * The running cell's IO, with the signal the kernel aborts on interrupt; or
 * the last IO a magic ran with; or undefined outside any cell.
 */
export function currentIO(): CellIO | undefined {
  return host?.runningCell() ?? lastMagicIO;
}

/** An IO that prints to the process's own streams: for use outside the kernel. */
export const consoleIO: CellIO = {
  async display(value: unknown) {
    const DISPLAY = Symbol.for("Jupyter.display");
    const own = (value as { [DISPLAY]?: () => unknown })?.[DISPLAY];
    const render = async (v: unknown) => {
      const f = (v as { [DISPLAY]?: () => unknown })?.[DISPLAY];
      const b = (typeof f === "function" ? await f.call(v) : { "text/plain": String(v) }) as Record<string, unknown>;
      const data = (b.data ?? b) as Record<string, unknown>;
      process.stdout.write(String(data["text/plain"] ?? "") + "\n");
    };
    await render(typeof own === "function" ? value : value);
    return { displayId: "console", update: render };
  },
  stream(name, text) {
    (name === "stdout" ? process.stdout : process.stderr).write(text);
  },
  clearOutput() {},
  signal: new AbortController().signal,
};

export function ioOr(io?: CellIO): CellIO {
  return io ?? currentIO() ?? consoleIO;
}
