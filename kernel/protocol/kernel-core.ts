/**
 * The protocol side of a kernel, independent of sockets: decodes and verifies
 * incoming frames, queues shell requests, dispatches control requests at once,
 * and turns interrupts and shutdowns into calls on the Engine.
 */
import type { Engine } from "../engine.js";
import type { HistoryStore } from "../history/store.js";
import { CommRegistry } from "./comms.js";
import type { Outbox } from "./context.js";
import { Dispatcher } from "./dispatcher.js";
import { controlHandlers, shellHandlers } from "./handler-table.js";
import { MessageFactory, type Message } from "./message.js";
import { ReplayGuard } from "./replay-guard.js";
import { ShellQueue } from "./shell-queue.js";
import type { Signer } from "./signer.js";
import type { KernelState } from "./state.js";
import { InputBroker } from "./stdin.js";
import { decode, encode } from "./wire.js";

export interface KernelCoreOptions {
  engine: Engine;
  history: HistoryStore;
  signer: Signer;
  /** Where encoded frames go, per channel. */
  send(channel: "shell" | "control" | "stdin" | "iopub", frames: Buffer[]): void;
  /** Resolves once the iopub frames sent so far are queued in zeromq. */
  flush(): Promise<void>;
  /** Called once the shutdown reply is out and the engine has shut down (or 2 s passed). */
  exit(restart: boolean): void;
}

export const SHUTDOWN_BUDGET_MS = 2000;

export class KernelCore {
  readonly factory = new MessageFactory();
  readonly state: KernelState;
  private readonly dispatcher: Dispatcher;
  private readonly shell: ShellQueue;
  private shuttingDown = false;
  private readonly replays = new ReplayGuard();

  constructor(private readonly o: KernelCoreOptions) {
    const out: Outbox = { send: (channel, message) => o.send(channel, encode(message, o.signer)), flush: () => o.flush() };
    this.state = {
      engine: o.engine,
      history: o.history,
      comms: new CommRegistry(),
      stdin: new InputBroker(),
      executionCount: 0,
      lastCell: undefined,
      currentAbort: undefined,
      abortQueued: () => this.shell.abortQueued(),
      shutdown: (restart) => void this.shutdown(restart),
    };
    this.dispatcher = new Dispatcher(this.state, out, this.factory);
    this.shell = new ShellQueue(
      (m) => this.dispatcher.dispatch("shell", m, shellHandlers),
      (m) => this.dispatcher.abort(m),
    );
  }

  onShell(frames: readonly Uint8Array[]): void {
    const message = this.decode("shell", frames);
    if (message) this.shell.push(message);
  }

  onControl(frames: readonly Uint8Array[]): void {
    const message = this.decode("control", frames);
    if (message) void this.dispatcher.dispatch("control", message, controlHandlers);
  }

  onStdin(frames: readonly Uint8Array[]): void {
    const message = this.decode("stdin", frames);
    if (message) this.state.stdin.onMessage(message);
  }

  /** interrupt_request (through the control worker) or SIGINT. */
  interrupt(): void {
    this.state.currentAbort?.abort(new Error("interrupted"));
    try {
      this.o.engine.interrupt();
    } catch (err) {
      process.stderr.write(`ibcc: engine interrupt failed: ${(err as Error).message}\n`);
    }
  }

  /**
   * An error nothing caught: a promise a cell dropped, a throw in a timer. It
   * is shown on the stderr of the last cell (whose background work it most
   * likely is) and logged, and the kernel goes on.
   */
  strayError(kind: string, err: unknown): void {
    const e = (typeof err === "object" && err !== null ? err : {}) as { stack?: unknown; message?: unknown };
    const detail = typeof e.stack === "string" ? e.stack : typeof e.message === "string" ? e.message : String(err);
    const text = `${kind}: ${detail}\n`;
    process.stderr.write(`ibcc: ${text}`);
    try {
      this.state.lastCell?.publish("stream", { name: "stderr", text });
    } catch {
      // Reporting must never throw from a process-level handler.
    }
  }

  /** Runs the engine's shutdown within the budget, then exits; later calls are no-ops. */
  async shutdown(restart = false): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.state.currentAbort?.abort(new Error("shutting down"));
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        process.stderr.write(`ibcc: engine shutdown took over ${SHUTDOWN_BUDGET_MS} ms; exiting anyway\n`);
        resolve();
      }, SHUTDOWN_BUDGET_MS);
    });
    try {
      await Promise.race([this.o.engine.shutdown().catch((err: unknown) => {
        process.stderr.write(`ibcc: engine shutdown failed: ${(err as Error)?.message ?? err}\n`);
      }), budget]);
    } finally {
      clearTimeout(timer);
      this.o.exit(restart);
    }
  }

  private decode(channel: string, frames: readonly Uint8Array[]): Message | undefined {
    try {
      const message = decode(frames, this.o.signer);
      // Only after the signature checked out: a forged message must not
      // evict a genuine signature from the guard's memory.
      if (this.o.signer.enabled && !this.replays.admit(frames)) {
        process.stderr.write(`ibcc: dropped a ${channel} message: replayed signature\n`);
        return undefined;
      }
      return message;
    } catch (err) {
      process.stderr.write(`ibcc: dropped a ${channel} message: ${(err as Error).message}\n`);
      return undefined;
    }
  }
}
