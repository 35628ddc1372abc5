/**
 * A KernelCore on an in-memory transport: what the kernel sends is decoded and
 * kept per channel, and requests go in as signed frames, as a client's would
 * arrive from zeromq. No sockets, no child process: the protocol layer runs in
 * the test's own process.
 */
import { randomUUID } from "node:crypto";
import type { Engine } from "../../kernel/engine.js";
import { HistoryStore } from "../../kernel/history/store.js";
import { KernelCore } from "../../kernel/protocol/kernel-core.js";
import { Signer } from "../../kernel/protocol/signer.js";
import { decode } from "../../kernel/protocol/wire.js";
import { clientSignature, requestParts, type Msg } from "./kernel-client.js";

type Outgoing = "shell" | "control" | "stdin" | "iopub";
type Incoming = "shell" | "control" | "stdin";

export interface MemoryExchange {
  reply: Msg;
  /** The iopub messages whose parent is the request, from busy to idle. */
  iopub: Msg[];
}

export interface MemoryKernelOptions {
  engine: Engine;
  history: HistoryStore;
  key?: string;
}

export class MemoryKernel {
  readonly core: KernelCore;
  readonly session = randomUUID();
  /** Every message the kernel sent, in order, with its channel. */
  readonly sent: { channel: Outgoing; msg: Msg }[] = [];
  /** Raw frames the kernel sent on iopub, to check topics. */
  readonly iopubFrames: Buffer[][] = [];
  /** Set once the kernel asked to exit (after shutdown_reply), with its restart flag. */
  exited: boolean | undefined;
  private readonly key: string;
  private readonly waiters = new Set<{ test(channel: Outgoing, m: Msg): boolean; resolve(): void }>();

  constructor(o: MemoryKernelOptions) {
    this.key = o.key ?? randomUUID();
    const signer = new Signer(this.key);
    this.core = new KernelCore({
      engine: o.engine,
      history: o.history,
      signer,
      send: (channel, frames) => {
        // Decoded with the kernel's key: a message the kernel signs wrongly fails here.
        const msg = decode(frames, signer) as unknown as Msg;
        if (channel === "iopub") this.iopubFrames.push(frames);
        this.sent.push({ channel, msg });
        for (const w of [...this.waiters]) {
          if (w.test(channel, msg)) {
            this.waiters.delete(w);
            w.resolve();
          }
        }
      },
      flush: () => Promise.resolve(),
      exit: (restart) => {
        this.exited = restart;
      },
    });
  }

  /** Frames of a request as a client sends them; `signature` replaces the right one. */
  frames(msgType: string, content: Record<string, unknown>, o: { signature?: string } = {}): { msgId: string; frames: Buffer[] } {
    const { header, parts } = requestParts(this.session, msgType, content);
    const signature = o.signature ?? clientSignature(this.key, parts);
    return { msgId: header.msg_id, frames: [Buffer.from("client"), Buffer.from("<IDS|MSG>"), Buffer.from(signature), ...parts] };
  }

  /** Hands frames to the kernel as its transport does on a message from `channel`. */
  deliver(channel: Incoming, frames: Buffer[]): void {
    if (channel === "shell") this.core.onShell(frames);
    else if (channel === "control") this.core.onControl(frames);
    else this.core.onStdin(frames);
  }

  /** Sends a request; resolves with its reply and its iopub messages once idle is out. */
  async request(channel: "shell" | "control", msgType: string, content: Record<string, unknown> = {}): Promise<MemoryExchange> {
    const { msgId, frames } = this.frames(msgType, content);
    const idle = this.when((ch, m) => ch === "iopub" && m.parent_header.msg_id === msgId && m.content.execution_state === "idle");
    this.deliver(channel, frames);
    await idle;
    const mine = this.sent.filter((s) => s.msg.parent_header.msg_id === msgId);
    const reply = mine.find((s) => s.channel === channel)?.msg;
    if (!reply) throw new Error(`no ${channel} reply to ${msgType}`);
    return { reply, iopub: mine.filter((s) => s.channel === "iopub").map((s) => s.msg) };
  }

  execute(code: string, content: Record<string, unknown> = {}): Promise<MemoryExchange> {
    return this.request("shell", "execute_request", { code, silent: false, store_history: true, allow_stdin: false, ...content });
  }

  private when(test: (channel: Outgoing, m: Msg) => boolean, timeoutMs = 20_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error("timed out waiting for the kernel"));
      }, timeoutMs);
      const waiter = { test, resolve: () => (clearTimeout(timer), resolve()) };
      this.waiters.add(waiter);
    });
  }
}
