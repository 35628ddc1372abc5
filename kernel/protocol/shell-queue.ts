/**
 * Shell requests run one at a time, in arrival order. Messages are read off the
 * socket eagerly into this queue, so that when a cell fails with stop_on_error
 * the execute requests already sent behind it can be answered "aborted".
 */
import type { Message } from "./message.js";

export class ShellQueue {
  private readonly items: Message[] = [];
  private running = false;
  private abortRequested = false;

  constructor(
    private readonly run: (request: Message) => Promise<void>,
    private readonly abort: (request: Message) => Promise<void>,
  ) {}

  push(request: Message): void {
    this.items.push(request);
    if (!this.running) void this.drain();
  }

  requestAbort(): void {
    this.abortRequested = true;
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.items.length > 0) {
        await this.run(this.items.shift()!);
        if (this.abortRequested) {
          this.abortRequested = false;
          // Let the socket reader pick up requests the client sent together
          // with the failed one before deciding what was "queued behind" it.
          await new Promise((r) => setTimeout(r, 20));
          const queued = this.items.filter((m) => m.header.msg_type === "execute_request");
          this.items.splice(0, this.items.length, ...this.items.filter((m) => m.header.msg_type !== "execute_request"));
          for (const request of queued) await this.abort(request);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
