/** The main thread's end of the control/heartbeat worker. */
import { Worker } from "node:worker_threads";
import type { FromWorker, ToWorker, WorkerConfig } from "./worker-messages.js";

export class ControlLink {
  private readonly worker: Worker;
  private closed: Promise<void> | undefined;

  private constructor(worker: Worker) {
    this.worker = worker;
  }

  /** Starts the worker and resolves with the bound endpoints once both sockets are bound. */
  static start(
    config: WorkerConfig,
    onControl: (frames: Uint8Array[]) => void,
    onInterrupt: () => void,
  ): Promise<{ link: ControlLink; control: string; hb: string }> {
    const worker = new Worker(new URL("./control-worker.js", import.meta.url), { workerData: config });
    const link = new ControlLink(worker);
    return new Promise((resolve, reject) => {
      worker.on("message", (m: FromWorker) => {
        if (m.kind === "bound") resolve({ link, control: m.control, hb: m.hb });
        else if (m.kind === "control") onControl(m.frames);
        else if (m.kind === "interrupt") {
          if (Atomics.compareExchange(m.claim, 0, 0, 1) === 0) onInterrupt();
        }
        else if (m.kind === "failed") {
          reject(new Error(`control/heartbeat sockets: ${m.message}`));
          process.stderr.write(`ibcc: control worker failed: ${m.message}\n`);
        }
      });
      worker.on("error", (err) => {
        reject(err);
        process.stderr.write(`ibcc: control worker crashed: ${err.stack ?? err.message}\n`);
      });
      // Without control and heartbeat the kernel is deaf to its client: exit
      // so that the client's restarter notices, rather than linger.
      worker.on("exit", (code) => {
        if (link.closed) return;
        process.stderr.write(`ibcc: control worker exited (${code}); the kernel cannot go on without it\n`);
        process.exit(1);
      });
    });
  }

  send(frames: Buffer[]): void {
    this.post({ kind: "send", frames });
  }

  /** Flushes pending control replies and closes both sockets (at most 1 s). */
  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => void this.worker.terminate().then(() => resolve()), 1000);
      this.worker.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      this.post({ kind: "close" });
    });
    return this.closed;
  }

  private post(m: ToWorker): void {
    this.worker.postMessage(m);
  }
}
