/**
 * Runs one request: publishes busy, looks the handler up in the table, runs it
 * inside try/catch so a handler's failure is logged and never kills the kernel,
 * and publishes idle.
 */
import { RequestContext, type Outbox } from "./context.js";
import type { Message, MessageFactory } from "./message.js";
import type { Handler, KernelState } from "./state.js";

export class Dispatcher {
  constructor(
    private readonly state: KernelState,
    private readonly out: Outbox,
    private readonly factory: MessageFactory,
  ) {}

  async dispatch(channel: "shell" | "control", request: Message, table: Readonly<Record<string, Handler>>): Promise<void> {
    await this.around(channel, request, async (ctx) => {
      const handler = table[request.header.msg_type];
      if (!handler) {
        log(`no handler for ${channel} message "${request.header.msg_type}"`);
        return;
      }
      await handler(ctx, this.state);
    });
  }

  /** An execute request queued behind a failed cell: answered "aborted", never run. */
  async abort(request: Message): Promise<void> {
    await this.around("shell", request, (ctx) => {
      ctx.reply({ status: "aborted", execution_count: this.state.executionCount, user_expressions: {}, payload: [] });
    });
  }

  private async around(
    channel: "shell" | "control",
    request: Message,
    body: (ctx: RequestContext) => void | Promise<void>,
  ): Promise<void> {
    const ctx = new RequestContext(channel, request, this.out, this.factory);
    ctx.publish("status", { execution_state: "busy" });
    try {
      await body(ctx);
    } catch (err) {
      log(`${request.header.msg_type} failed: ${(err as Error)?.stack ?? String(err)}`);
    } finally {
      ctx.publish("status", { execution_state: "idle" });
    }
  }
}

function log(text: string): void {
  process.stderr.write(`ibcc: ${text}\n`);
}
