/**
 * One line of the bench table: a measurement taken through ibcc and through
 * BCC's Python front end, as raw samples; the printer summarises them.
 */
export interface Row {
  job: string;
  /** "ms", "s", "ev/s", "MB", "%", "x" ... */
  unit: string;
  ibcc?: number[];
  bcc?: number[];
  /** Short context: the floor, the target and whether it is met, a reason a side is missing. */
  note?: string;
}

/** What every job gets from the runner. */
export interface JobContext {
  quick: boolean;
  /** Paths of the compiled C helpers (fill, getppid_loop, batch_floor). */
  bin: Record<string, string>;
  log(message: string): void;
  /** Text printed under the table, titled. */
  appendix(title: string, text: string): void;
}

export interface Job {
  /** What --only matches against. */
  name: string;
  run(ctx: JobContext): Promise<Row[]>;
}
