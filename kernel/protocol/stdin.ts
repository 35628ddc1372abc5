/** input_request / input_reply over the stdin channel, one pending prompt at a time. */
import type { RequestContext } from "./context.js";
import type { Message } from "./message.js";

interface Pending {
  msgId: string;
  resolve(value: string): void;
  reject(err: Error): void;
}

export class InputBroker {
  private pending: Pending | undefined;

  request(ctx: RequestContext, prompt: string, password: boolean, signal: AbortSignal): Promise<string> {
    if (this.pending) return Promise.reject(new Error("another input request is already waiting for a reply"));
    if (signal.aborted) return Promise.reject(new Error("interrupted"));
    return new Promise<string>((resolve, reject) => {
      const sent = ctx.toStdin("input_request", { prompt, password });
      const onAbort = (): void => {
        this.pending = undefined;
        reject(new Error("interrupted while waiting for input"));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.pending = {
        msgId: sent.header.msg_id,
        resolve: (value) => {
          signal.removeEventListener("abort", onAbort);
          resolve(value);
        },
        reject,
      };
    });
  }

  /** Called with every message read from the stdin socket. */
  onMessage(message: Message): void {
    if (message.header.msg_type !== "input_reply") return;
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    const value = message.content.value;
    pending.resolve(typeof value === "string" ? value : "");
  }
}
