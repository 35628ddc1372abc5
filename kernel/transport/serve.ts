/**
 * Binds the five channels named by a connection file and runs a KernelCore on
 * them: shell, stdin and iopub on the main thread, control and heartbeat in a
 * worker (see control-worker.ts). Also traps SIGINT and SIGTERM.
 */
import { Publisher, Router } from "zeromq";
import type { Engine } from "../engine.js";
import { HistoryStore } from "../history/store.js";
import type { Render } from "../protocol/execution-io.js";
import { KernelCore } from "../protocol/kernel-core.js";
import { Signer } from "../protocol/signer.js";
import { onSigint } from "../engine/sigint.js";
import { bindEndpoint, portOf, readConnectionFile, writeBackPorts, type PortName } from "./connection.js";
import { ControlLink } from "./control-link.js";
import { allowUnsignedFromEnv, checkKey } from "./key-policy.js";
import { SendQueue } from "./send-queue.js";

export interface ServeOptions {
  connectionFile: string;
  engine: Engine;
  render: Render;
  history?: HistoryStore;
  /** Serve a connection file whose key is empty (see key-policy.ts). */
  allowUnsigned?: boolean;
}

export async function serve(o: ServeOptions): Promise<KernelCore> {
  const info = readConnectionFile(o.connectionFile);
  checkKey(info, o.connectionFile, o.allowUnsigned ?? allowUnsignedFromEnv(), (t) => process.stderr.write(t));
  const signer = new Signer(info.key, info.signature_scheme);
  const ipcTaken = new Set<number>();
  const endpoint = (name: PortName): string => bindEndpoint(info, info[name], ipcTaken);

  const shell = new Router({ linger: 1000 });
  const stdin = new Router({ linger: 1000 });
  const iopub = new Publisher({ linger: 1000 });
  const out = { shell: new SendQueue(shell, "shell"), stdin: new SendQueue(stdin, "stdin"), iopub: new SendQueue(iopub, "iopub") };

  let link: ControlLink | undefined;
  const core: KernelCore = new KernelCore({
    engine: o.engine,
    render: o.render,
    history: o.history ?? new HistoryStore(),
    signer,
    send: (channel, frames) => (channel === "control" ? link?.send(frames) : out[channel].send(frames)),
    flush: () => out.iopub.flush(),
    exit: () => void close().then(() => process.exit(0)),
  });

  await shell.bind(endpoint("shell_port"));
  await stdin.bind(endpoint("stdin_port"));
  await iopub.bind(endpoint("iopub_port"));
  const started = await ControlLink.start(
    { controlEndpoint: endpoint("control_port"), hbEndpoint: endpoint("hb_port"), key: info.key, signatureScheme: info.signature_scheme },
    (frames) => core.onControl(frames),
    () => core.interrupt(),
  );
  link = started.link;
  writeBackPorts(o.connectionFile, info, {
    shell_port: portOf(shell.lastEndpoint!),
    stdin_port: portOf(stdin.lastEndpoint!),
    iopub_port: portOf(iopub.lastEndpoint!),
    control_port: portOf(started.control),
    hb_port: portOf(started.hb),
  });

  void pump(shell, (f) => core.onShell(f));
  void pump(stdin, (f) => core.onStdin(f));

  // SIGINT never kills the kernel: clients interrupt with it, and the control
  // worker raises it on interrupt_request when the main thread is stuck. Not a
  // process.on("SIGINT") listener: see engine/sigint.ts.
  onSigint(() => core.interrupt());
  process.on("SIGTERM", () => void core.shutdown(false));
  // Node ends the process on an unhandled rejection; a cell's dropped promise
  // must not take the kernel down with it.
  process.on("unhandledRejection", (reason) => core.strayError("Unhandled promise rejection", reason));
  process.on("uncaughtException", (err) => core.strayError("Uncaught exception", err));

  let closing: Promise<void> | undefined;
  function close(): Promise<void> {
    closing ??= (async () => {
      await Promise.all([out.shell.flush(), out.stdin.flush(), out.iopub.flush()]);
      await link?.close();
      shell.close();
      stdin.close();
      iopub.close();
    })();
    return closing;
  }
  return core;
}

async function pump(socket: Router, handle: (frames: Buffer[]) => void): Promise<void> {
  try {
    for await (const frames of socket) handle(frames);
  } catch (err) {
    if (!socket.closed) process.stderr.write(`ibcc: socket reader stopped: ${(err as Error).message}\n`);
  }
}
