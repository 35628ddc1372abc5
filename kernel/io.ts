/**
 * What a cell's output looks like to every layer: the engine, the display
 * layer, the protocol and plugins. Types only, importing nothing, so that any
 * of them may depend on it without depending on each other.
 */

/** A Jupyter mime bundle: mime type to data. */
export type MimeBundle = Record<string, unknown>;

/** What a value renders to: its bundle and the output's metadata. */
export interface DisplayData {
  data: MimeBundle;
  metadata?: Record<string, unknown>;
}

/** A display output that can be replaced in place (update_display_data). */
export interface DisplayHandle {
  readonly displayId: string;
  update(value: unknown): Promise<void>;
}

/**
 * The output side of one execution. Output sent through it carries the request
 * that started the cell as its parent, also when it comes from background work
 * (an event poller, a watch) after the cell's own code has returned.
 */
export interface CellIO {
  /** Renders `value` (its Symbol.for("Jupyter.display") bundle, or text/plain) as display_data. */
  display(value: unknown, options?: { displayId?: string }): Promise<DisplayHandle>;
  /** Sends raw text to the cell's stdout or stderr stream. */
  stream(name: "stdout" | "stderr", text: string): void;
  clearOutput(wait?: boolean): void;
  /** Aborted when the user interrupts the cell (interrupt_request or SIGINT). */
  readonly signal: AbortSignal;
  /** performance.now() when the cell started, for output that must not reach back before it. */
  readonly startedAt?: number;
}
