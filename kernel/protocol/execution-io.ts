/**
 * The ExecutionIO a cell runs with. Its output comes rendered (the engine
 * turns values into bundles, see engine/output.ts). Everything it sends carries
 * the cell's request as parent, also when background work (a BPF poller, a
 * timer) sends it after the cell returned; such late output goes straight to
 * iopub without a new busy/idle pair. A silent cell sends nothing.
 */
import type { ExecutionIO } from "../engine.js";
import type { RequestContext } from "./context.js";
import type { InputBroker } from "./stdin.js";

export interface ExecutionIOOptions {
  ctx: RequestContext;
  executionCount: number;
  silent: boolean;
  allowStdin: boolean;
  signal: AbortSignal;
  stdin: InputBroker;
}

/** Stream text waiting to be sent is flushed at this size even within one tick. */
const STREAM_CHUNK = 64 * 1024;

/** An ExecutionIO whose buffered stream text the protocol layer can flush. */
export interface FlushableIO extends ExecutionIO {
  /** Sends buffered stream text now; called before the cell's result and reply. */
  flush(): void;
}

export function createExecutionIO(o: ExecutionIOOptions): FlushableIO {
  // Stream writes within one tick are joined into one message: a cell that
  // prints in a loop sends a few messages, not one per line.
  let pending: { name: "stdout" | "stderr"; text: string } | undefined;
  let timer: NodeJS.Immediate | undefined;
  const flush = (): void => {
    if (timer) clearImmediate(timer);
    timer = undefined;
    const p = pending;
    pending = undefined;
    if (p && !o.silent) o.ctx.publish("stream", p);
  };
  const send = (msgType: string, content: Record<string, unknown>, metadata?: Record<string, unknown>): void => {
    flush(); // keeps stream text in order with other output
    if (!o.silent) o.ctx.publish(msgType, content, metadata);
  };
  return {
    flush,
    executionCount: o.executionCount,
    signal: o.signal,
    display({ data, metadata }, { displayId, update }): void {
      send(update ? "update_display_data" : "display_data", { data, metadata: metadata ?? {}, transient: { display_id: displayId } });
    },
    stream(name: "stdout" | "stderr", text: string): void {
      if (text.length === 0 || o.silent) return;
      if (pending && pending.name !== name) flush();
      pending ??= { name, text: "" };
      pending.text += text;
      if (pending.text.length >= STREAM_CHUNK) flush();
      else timer ??= setImmediate(flush);
    },
    clearOutput(wait = false): void {
      send("clear_output", { wait });
    },
    input(prompt: string, password = false): Promise<string> {
      if (!o.allowStdin) {
        return Promise.reject(new Error("input is not allowed: this front end does not support stdin requests"));
      }
      return o.stdin.request(o.ctx, prompt, password, o.signal);
    },
  };
}
