/**
 * Shell requests run one at a time, in arrival order. Messages are read off the
 * socket eagerly into this queue, so that when a cell fails with stop_on_error
 * the execute requests already sent behind it can be answered "aborted".
 */
import type { Message } from "./message.js";

export class ShellQueue {
  private readonly items: Message[] = [];
  private running = false;
  private toAbort: Message[] = [];

  constructor(
    private readonly run: (request: Message) => Promise<void>,
    private readonly abort: (request: Message) => Promise<void>,
  ) {}

  push(request: Message): void {
    this.items.push(request);
    if (!this.running) void this.drain();
  }

  /**
   * Called by a failed cell before it replies: lets the socket reader pick up
   * requests the client sent together with the failed one, then takes every
   * execute request now queued out of the queue, to be answered "aborted".
   * A request sent after the client saw the error reply is never caught.
   */
  async abortQueued(): Promise<void> {
    await new Promise((r) => setTimeout(r, 20));
    const isExecute = (m: Message): boolean => m.header.msg_type === "execute_request";
    this.toAbort.push(...this.items.filter(isExecute));
    this.items.splice(0, this.items.length, ...this.items.filter((m) => !isExecute(m)));
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.items.length > 0) {
        await this.run(this.items.shift()!);
        const aborted = this.toAbort.splice(0);
        for (const request of aborted) await this.abort(request);
      }
    } finally {
      this.running = false;
    }
  }
}
