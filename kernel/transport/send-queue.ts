/**
 * A zeromq v6 socket allows one send in flight; output comes from many places
 * at once (handlers, background pollers), so sends are chained here in order.
 */
/** A frame as zeromq takes it: bytes, or a string it encodes as UTF-8 into memory of its own. */
export type Frame = Uint8Array | string;

export interface Sendable {
  send(frames: Frame[]): Promise<void>;
}

export class SendQueue {
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: Sendable,
    private readonly name: string,
  ) {}

  send(frames: Frame[]): void {
    this.tail = this.tail
      .then(() => this.socket.send(frames))
      .catch((err: unknown) => {
        process.stderr.write(`ibcc: send on ${this.name} failed: ${(err as Error)?.message ?? err}\n`);
      });
  }

  /** Resolves once everything queued so far has been handed to zeromq. */
  flush(): Promise<void> {
    return this.tail;
  }
}
