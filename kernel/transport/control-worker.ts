/**
 * Runs in a worker thread so that control and heartbeat stay answered while the
 * main thread is busy, even spinning in a synchronous loop. Heartbeats are
 * echoed here; control messages go to the main thread.
 *
 * A correctly signed interrupt_request is offered to the main thread first. If
 * the main thread does not claim it within MAIN_THREAD_GRACE_MS it is stuck in
 * synchronous code, and this thread raises SIGINT in the process, which breaks
 * a vm script run with breakOnSigint. Not raising SIGINT when the main thread
 * is free matters: Node swaps SIGINT listeners out around every breakOnSigint
 * run, and a SIGINT landing in that swap kills the process.
 */
import { isUtf8 } from "node:buffer";
import { parentPort, workerData } from "node:worker_threads";
import { Reply, Router } from "zeromq";
import { ReplayGuard } from "../protocol/replay-guard.js";
import { Signer } from "../protocol/signer.js";
import { decode } from "../protocol/wire.js";
import { SendQueue, type Frame } from "./send-queue.js";
import type { FromWorker, ToWorker, WorkerConfig } from "./worker-messages.js";

const config = workerData as WorkerConfig;
const port = parentPort!;
const post = (m: FromWorker): void => port.postMessage(m);
const signer = new Signer(config.key, config.signatureScheme);
const MAIN_THREAD_GRACE_MS = 100;
// The main thread drops replayed messages too, but this thread acts on an
// interrupt before the main thread sees it: it keeps its own memory.
const replays = new ReplayGuard();

const control = new Router({ linger: 1000 });
const hb = new Reply({ linger: 0 });
const controlOut = new SendQueue(control, "control");

async function main(): Promise<void> {
  await control.bind(config.controlEndpoint);
  await hb.bind(config.hbEndpoint);
  post({ kind: "bound", control: control.lastEndpoint!, hb: hb.lastEndpoint! });
  void heartbeat();
  for await (const frames of control) {
    if (isInterrupt(frames)) offerInterrupt();
    post({ kind: "control", frames });
  }
}

async function heartbeat(): Promise<void> {
  for await (const frames of hb) await hb.send(frames);
}

function offerInterrupt(): void {
  const claim = new Int32Array(new SharedArrayBuffer(4));
  post({ kind: "interrupt", claim });
  setTimeout(() => {
    if (Atomics.compareExchange(claim, 0, 0, 2) === 0) process.kill(process.pid, "SIGINT");
  }, MAIN_THREAD_GRACE_MS);
}

function isInterrupt(frames: Uint8Array[]): boolean {
  try {
    const isInterrupt = decode(frames, signer).header.msg_type === "interrupt_request";
    return isInterrupt && (!signer.enabled || replays.admit(frames));
  } catch {
    return false; // the main thread logs the bad message when it drops it
  }
}

/**
 * zeromq.js sends a Buffer over 128 bytes without copying it, and releases it
 * through this thread's event loop once its shared I/O threads are done with
 * it; a message still on its way when this worker ends (the shutdown_reply)
 * was released after the worker's heap was gone, corrupting malloc's lists
 * (SIGABRT at shutdown: 3 in 144 shutdowns soon after a first cell). A string goes into memory
 * zeromq owns: the JSON frames are sent as strings, which encode back to the
 * same bytes, so their signature holds. Routing ids are small enough that
 * zeromq copies them; control messages carry no binary buffers.
 */
function owned(frames: Uint8Array[]): Frame[] {
  return frames.map((f) => (f.byteLength <= 128 ? f : isUtf8(f) ? Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString("utf8") : f));
}

port.on("message", (m: ToWorker) => {
  if (m.kind === "send") controlOut.send(owned(m.frames));
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
