/**
 * Binds the five channels named by a connection file and runs a KernelCore on
 * them: shell, stdin and iopub on the main thread, control and heartbeat in a
 * worker (see control-worker.ts). Also traps SIGINT and SIGTERM, and shuts
 * down when the process that launched it has died (parent-watch.ts).
 */
import { Router, XPublisher } from "zeromq";
import type { Engine } from "../engine.js";
import { HistoryStore } from "../history/store.js";
import { KernelCore } from "../protocol/kernel-core.js";
import { Signer } from "../protocol/signer.js";
import { onSigint } from "../engine/sigint.js";
import { bindEndpoint, portOf, readConnectionFile, writeBackPorts, type PortName } from "./connection.js";
import { ControlLink } from "./control-link.js";
import { allowUnsignedFromEnv, checkKey } from "./key-policy.js";
import { SendQueue } from "./send-queue.js";
import { HeldUntilSubscribed, watchSubscriptions } from "./iopub-hold.js";
import { watchParent } from "./parent-watch.js";
import { startMark } from "../start-marks.js";

export interface ServeOptions {
  connectionFile: string;
  engine: Engine;
  history?: HistoryStore;
  /** Serve a connection file whose key is empty (see key-policy.ts). */
  allowUnsigned?: boolean;
  /**
   * Called once shell, stdin and iopub are bound; what it returns must settle
   * before the kernel answers anything (raising the memlock limit). Start-up
   * work that a client's first kernel_info need not wait for goes here rather
   * than before serve(): a client that connected before the bind retries
   * (zeromq's reconnect interval, 100 ms), so every millisecond before the
   * bind can cost a whole retry.
   */
  afterBinding?: () => Promise<unknown> | undefined;
}

export async function serve(o: ServeOptions): Promise<KernelCore> {
  const info = readConnectionFile(o.connectionFile);
  checkKey(info, o.connectionFile, o.allowUnsigned ?? allowUnsignedFromEnv(), (t) => process.stderr.write(t));
  const signer = new Signer(info.key, info.signature_scheme);
  const ipcTaken = new Set<number>();
  const endpoint = (name: PortName): string => bindEndpoint(info, info[name], ipcTaken);

  const shell = new Router({ linger: 1000 });
  const stdin = new Router({ linger: 1000 });
  // XPUB, to know when the first client has subscribed (iopub-hold.ts).
  const iopub = new XPublisher({ linger: 1000 });
  const early = new HeldUntilSubscribed(iopub);
  const out = { shell: new SendQueue(shell, "shell"), stdin: new SendQueue(stdin, "stdin"), iopub: new SendQueue(early, "iopub") };

  let link: ControlLink | undefined;
  // Declared before anything can call it: a shutdown_request or SIGTERM may
  // come while the control worker is still starting.
  let starting: ReturnType<typeof ControlLink.start> | undefined;
  let closing: Promise<void> | undefined;
  function close(): Promise<void> {
    closing ??= (async () => {
      await Promise.all([out.shell.flush(), out.stdin.flush(), out.iopub.flush()]);
      await (await starting?.catch(() => undefined))?.link.close();
      shell.close();
      stdin.close();
      iopub.close();
    })();
    return closing;
  }
  let replied = false;
  const firstReply = (): void => {
    replied = true;
    startMark("first shell reply");
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

  // Endpoints in the order ipc numbering has always followed. The three binds
  // run on zeromq's threads while the control worker starts (it loads zeromq
  // on its own thread, and its creation costs the main thread a little).
  const shellAt = endpoint("shell_port");
  const stdinAt = endpoint("stdin_port");
  const iopubAt = endpoint("iopub_port");
  const controlAt = endpoint("control_port");
  const hbAt = endpoint("hb_port");
  const binding = Promise.all([shell.bind(shellAt), stdin.bind(stdinAt), iopub.bind(iopubAt)]);
  binding.catch(() => {}); // awaited below
  starting = ControlLink.start(
    { controlEndpoint: controlAt, hbEndpoint: hbAt, key: info.key, signatureScheme: info.signature_scheme },
    (frames) => core.onControl(frames),
    () => core.interrupt(),
  );
  starting.then((s) => (link = s.link), () => {}); // awaited below
  await binding;
  startMark("shell, stdin, iopub bound");
  void watchSubscriptions(iopub, () => early.subscribed());
  const beforeAnswering = o.afterBinding?.();

  // SIGINT never kills the kernel: clients interrupt with it, and the control
  // worker raises it on interrupt_request when the main thread is stuck. Not a
  // process.on("SIGINT") listener: see engine/sigint.ts.
  onSigint(() => core.interrupt());
  process.on("SIGTERM", () => void core.shutdown(false));
  watchParent(() => void core.shutdown(false));
  // Node ends the process on an unhandled rejection; a cell's dropped promise
  // must not take the kernel down with it.
  process.on("unhandledRejection", (reason) => core.strayError("Unhandled promise rejection", reason));
  process.on("uncaughtException", (err) => core.strayError("Uncaught exception", err));

  await beforeAnswering;
  // Shell is answered from here on, while control and heartbeat may still be
  // binding: a client's first kernel_info need not wait for the worker.
  let received = false;
  void pump(shell, (f) => {
    if (!received) {
      received = true;
      startMark("first shell request");
    }
    core.onShell(f);
  });
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
  return core;
}

async function pump(socket: Router, handle: (frames: Buffer[]) => void): Promise<void> {
  try {
    for await (const frames of socket) handle(frames);
  } catch (err) {
    if (!socket.closed) process.stderr.write(`ibcc: socket reader stopped: ${(err as Error).message}\n`);
  }
}
