/**
 * The lines a bpftrace program prints, shown while it runs: one output
 * replaced in place (at most every 250 ms) with the latest few lines under a
 * count, so a flood of printf lines costs the notebook one small output.
 */
import type { CellIO, DisplayHandle } from "../../kernel/plugin.js";
import type { BpftraceRun } from "./trace.js";

const DISPLAY = Symbol.for("Jupyter.display");
const EVERY_MS = 250;

export class LiveLines {
  private handle?: Promise<DisplayHandle>;
  private shown = -1;
  private readonly timer: NodeJS.Timeout;
  private updating: Promise<void> = Promise.resolve();

  constructor(
    private readonly io: Pick<CellIO, "display">,
    private readonly run: BpftraceRun,
    private readonly rows: number,
  ) {
    this.timer = setInterval(() => this.tick(), EVERY_MS);
  }

  private frame(): unknown {
    const n = this.run.lineCount;
    const latest = this.run.latest(this.rows);
    const head = `${this.run.name}: ${n} line${n === 1 ? "" : "s"} printed${n > latest.length ? `, the latest ${latest.length}:` : ":"}`;
    const text = [head, ...latest].join("\n");
    return { [DISPLAY]: () => ({ data: { "text/plain": text }, metadata: {} }) };
  }

  private tick(): void {
    const n = this.run.lineCount;
    if (n === this.shown || n === 0) return;
    this.shown = n;
    const value = this.frame();
    this.updating = this.updating.then(async () => {
      try {
        if (!this.handle) {
          this.handle = this.io.display(value);
          await this.handle;
        } else await (await this.handle).update(value);
      } catch {
        // the cell's output went away: later frames would fail the same way
      }
    });
  }

  /** The last frame, once bpftrace has exited. */
  async finish(): Promise<void> {
    clearInterval(this.timer);
    this.tick();
    await this.updating;
  }
}
