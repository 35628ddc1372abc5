/**
 * The language layer as the protocol layer sees it: everything that runs,
 * completes or inspects code, with no knowledge of sockets or messages.
 * The protocol layer (kernel/protocol/) owns counts, replies and iopub; an
 * Engine gets an ExecutionIO to send output through.
 */
import type { CellIO, DisplayData, MimeBundle } from "./io.js";

/** What a running cell may do to its front end, beyond CellIO. */
export interface ExecutionIO extends CellIO {
  readonly executionCount: number;
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
