/**
 * Runs in a worker thread so that control and heartbeat stay answered while the
 * main thread is busy, even spinning in a synchronous loop. Heartbeats are
 * echoed here. Control messages go to the main thread; for a correctly signed
 * interrupt_request this thread first raises SIGINT in the process, which breaks
 * a vm script run with breakOnSigint and reaches the main thread's handler.
 */
import { parentPort, workerData } from "node:worker_threads";
import { Reply, Router } from "zeromq";
import { Signer } from "../protocol/signer.js";
import { decode } from "../protocol/wire.js";
import { SendQueue } from "./send-queue.js";
import type { FromWorker, ToWorker, WorkerConfig } from "./worker-messages.js";

const config = workerData as WorkerConfig;
const port = parentPort!;
const post = (m: FromWorker): void => port.postMessage(m);
const signer = new Signer(config.key, config.signatureScheme);

const control = new Router({ linger: 1000 });
const hb = new Reply({ linger: 0 });
const controlOut = new SendQueue(control, "control");

async function main(): Promise<void> {
  await control.bind(config.controlEndpoint);
  await hb.bind(config.hbEndpoint);
  post({ kind: "bound", control: control.lastEndpoint!, hb: hb.lastEndpoint! });
  void heartbeat();
  for await (const frames of control) {
    if (isInterrupt(frames)) process.kill(process.pid, "SIGINT");
    post({ kind: "control", frames });
  }
}

async function heartbeat(): Promise<void> {
  for await (const frames of hb) await hb.send(frames);
}

function isInterrupt(frames: Uint8Array[]): boolean {
  try {
    return decode(frames, signer).header.msg_type === "interrupt_request";
  } catch {
    return false; // the main thread logs the bad message when it drops it
  }
}

port.on("message", (m: ToWorker) => {
  if (m.kind === "send") controlOut.send(m.frames);
  else if (m.kind === "close") {
    void controlOut.flush().then(() => {
      control.close();
      hb.close();
      post({ kind: "closed" });
      port.close();
    });
  }
});

main().catch((err: unknown) => {
  if (control.closed) return;
  post({ kind: "failed", message: (err as Error)?.message ?? String(err) });
});
