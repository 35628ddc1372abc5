/**
 * Binds the five channels named by a connection file and runs a KernelCore on
 * them: shell, stdin and iopub on the main thread, control and heartbeat in a
 * worker (see control-worker.ts). Also traps SIGINT and SIGTERM.
 */
import { Publisher, Router } from "zeromq";
import type { Engine } from "../engine.js";
import { HistoryStore } from "../history/store.js";
import { KernelCore } from "../protocol/kernel-core.js";
import { Signer } from "../protocol/signer.js";
import { onSigint } from "../engine/sigint.js";
import { bindEndpoint, portOf, readConnectionFile, writeBackPorts, type PortName } from "./connection.js";
import { ControlLink } from "./control-link.js";
import { allowUnsignedFromEnv, checkKey } from "./key-policy.js";
import { SendQueue } from "./send-queue.js";
import { startMark } from "../start-marks.js";

export interface ServeOptions {
  connectionFile: string;
  engine: Engine;
  history?: HistoryStore;
  /** Serve a connection file whose key is empty (see key-policy.ts). */
  allowUnsigned?: boolean;
  /** Work that must be done before the kernel answers anything (raising the memlock limit). */
  beforeAnswering?: Promise<unknown>;
  /** Called once the first reply on shell (a client's kernel_info, as a rule) and its status messages have left. */
  onFirstReply?: () => void;
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
  let replied = false;
  const firstReply = (): void => {
    replied = true;
    startMark("first shell reply");
    if (!o.onFirstReply) return;
    // The reply's idle status is published right after it, in the same turn.
    const done = o.onFirstReply;
    setImmediate(() => void Promise.all([out.shell.flush(), out.iopub.flush()]).then(done));
  };
  const core: KernelCore = new KernelCore({
    engine: o.engine,
    history: o.history ?? new HistoryStore(),
    signer,
    send: (channel, frames) => {
      if (channel === "control") return link?.send(frames);
      out[channel].send(frames);
      if (channel === "shell" && !replied) firstReply();
    },
    flush: () => out.iopub.flush(),
    exit: () => void close().then(() => process.exit(0)),
  });

  // Endpoints in the order ipc numbering has always followed; the control
  // worker then starts first, so that its start-up (it loads zeromq on its own
  // thread) overlaps the binding here instead of following it.
  const shellAt = endpoint("shell_port");
  const stdinAt = endpoint("stdin_port");
  const iopubAt = endpoint("iopub_port");
  const controlAt = endpoint("control_port");
  const hbAt = endpoint("hb_port");
  const starting = ControlLink.start(
    { controlEndpoint: controlAt, hbEndpoint: hbAt, key: info.key, signatureScheme: info.signature_scheme },
    (frames) => core.onControl(frames),
    () => core.interrupt(),
  );
  starting.then((s) => (link = s.link), () => {}); // awaited below
  await shell.bind(shellAt);
  await stdin.bind(stdinAt);
  await iopub.bind(iopubAt);
  startMark("shell, stdin, iopub bound");

  // SIGINT never kills the kernel: clients interrupt with it, and the control
  // worker raises it on interrupt_request when the main thread is stuck. Not a
  // process.on("SIGINT") listener: see engine/sigint.ts.
  onSigint(() => core.interrupt());
  process.on("SIGTERM", () => void core.shutdown(false));
  // Node ends the process on an unhandled rejection; a cell's dropped promise
  // must not take the kernel down with it.
  process.on("unhandledRejection", (reason) => core.strayError("Unhandled promise rejection", reason));
  process.on("uncaughtException", (err) => core.strayError("Uncaught exception", err));

  await o.beforeAnswering;
  // Shell is answered from here on, while control and heartbeat may still be
  // binding: a client's first kernel_info need not wait for the worker.
  void pump(shell, (f) => core.onShell(f));
  void pump(stdin, (f) => core.onStdin(f));

  const started = await starting;
  startMark("control, hb bound");
  writeBackPorts(o.connectionFile, info, {
    shell_port: portOf(shell.lastEndpoint!),
    stdin_port: portOf(stdin.lastEndpoint!),
    iopub_port: portOf(iopub.lastEndpoint!),
    control_port: portOf(started.control),
    hb_port: portOf(started.hb),
  });

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
