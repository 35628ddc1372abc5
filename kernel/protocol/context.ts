/** What a handler uses to answer one request: its reply and its iopub output. */
import { type Content, type Message, type MessageFactory, replyType } from "./message.js";
import { OutputLimiter } from "./output-limit.js";

export type Channel = "shell" | "control" | "stdin" | "iopub";

/** Where encoded messages leave the kernel; the transport implements it. */
export interface Outbox {
  send(channel: Channel, message: Message): void;
  /** Resolves once everything sent on iopub so far is in zeromq's hands. */
  flush(): Promise<void>;
}

export class RequestContext {
  /** Bounds this request's output on iopub (see output-limit.ts). */
  private readonly limiter = new OutputLimiter();

  constructor(
    readonly channel: "shell" | "control",
    readonly request: Message,
    private readonly out: Outbox,
    private readonly factory: MessageFactory,
  ) {}

  get content(): Content {
    return this.request.content;
  }

  reply(content: Content, msgType = replyType(this.request.header.msg_type)): void {
    this.out.send(this.channel, this.factory.child(this.request, msgType, content));
  }

  publish(msgType: string, content: Content, metadata: Record<string, unknown> = {}): void {
    const limited = this.limiter.apply(msgType, content);
    if (limited.notice) this.send("stream", { name: "stderr", text: limited.notice }, {});
    if (limited.content) this.send(msgType, limited.content, metadata);
  }

  private send(msgType: string, content: Content, metadata: Record<string, unknown>): void {
    const message = this.factory.child(this.request, msgType, content, [this.factory.topic(msgType)]);
    message.metadata = metadata;
    this.out.send("iopub", message);
  }

  /**
   * Waits until published output has left JavaScript. Before a cell runs, so
   * that busy and execute_input reach the front end even if the cell then
   * blocks the main thread in a synchronous loop.
   */
  flush(): Promise<void> {
    return this.out.flush();
  }

  /** Sends to the requester's stdin socket (same routing identity as its shell socket). */
  toStdin(msgType: string, content: Content): Message {
    const message = this.factory.child(this.request, msgType, content);
    this.out.send("stdin", message);
    return message;
  }
}
