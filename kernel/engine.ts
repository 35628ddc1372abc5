/**
 * The language layer as the protocol layer sees it: everything that runs,
 * completes or inspects code, with no knowledge of sockets or messages.
 * The protocol layer (kernel/protocol/) owns counts, replies and iopub; an
 * Engine gets an ExecutionIO to send output through.
 *
 * Between the two only rendered output travels (DisplayData, as in a cell's
 * result): the engine turns values into bundles (see engine/output.ts), and
 * the protocol layer never holds a value of the cell's.
 */
import type { DisplayData, MimeBundle } from "./io.js";

/** What a running cell may send to its front end, and ask of it. */
export interface ExecutionIO {
  readonly executionCount: number;
  /** Aborted when the user interrupts the cell (interrupt_request or SIGINT). */
  readonly signal: AbortSignal;
  /**
   * Sends display_data; with `update`, update_display_data, which replaces
   * the output an earlier display with the same displayId made.
   */
  display(output: DisplayData, options: { displayId: string; update?: boolean }): void;
  /** Sends raw text to the cell's stdout or stderr stream. */
  stream(name: "stdout" | "stderr", text: string): void;
  clearOutput(wait?: boolean): void;
  /** Asks the front end for a line of input (input_request on stdin); rejects when stdin is not allowed. */
  input(prompt: string, password?: boolean): Promise<string>;
}

export interface ErrorReport {
  ename: string;
  evalue: string;
  traceback: string[];
}

export type ExecuteOutcome =
  | { status: "ok"; result?: DisplayData }
  | ({ status: "error" } & ErrorReport);

export interface CompleteOutcome {
  matches: string[];
  /** Offsets into the cell, in Unicode code points. */
  cursorStart: number;
  cursorEnd: number;
  metadata: Record<string, unknown>;
}

export interface InspectOutcome {
  found: boolean;
  data: MimeBundle;
}

export interface IsCompleteOutcome {
  status: "complete" | "incomplete" | "invalid" | "unknown";
  indent?: string;
}

export interface Engine {
  /** Runs one cell. Never rejects: errors come back as an ErrorReport. */
  execute(code: string, io: ExecutionIO): Promise<ExecuteOutcome>;
  /** Evaluates one user_expressions entry in the session's scope. */
  evaluate(expression: string): Promise<ExecuteOutcome>;
  /** cursorPos counts Unicode code points, as the protocol does. */
  complete(code: string, cursorPos: number): Promise<CompleteOutcome>;
  inspect(code: string, cursorPos: number, detailLevel: number): Promise<InspectOutcome>;
  isComplete(code: string): IsCompleteOutcome;
  /**
   * Stops the running cell (interrupt_request or SIGINT): aborts its signal and
   * breaks a synchronous loop where the runtime allows.
   */
  interrupt(): void;
  /** Runs the plugins' shutdown hooks; resolves within 2 s. */
  shutdown(): Promise<void>;
}
