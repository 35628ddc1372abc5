/**
 * IOPub messages published before the first client has subscribed, held and
 * delivered to it once it has.
 *
 * A client connects its SUB socket before the kernel has bound, and zeromq
 * retries that connection on its own schedule (100 ms and more): the kernel
 * can answer the client's first kernel_info on shell before the SUB has
 * joined, and a PUB socket drops what it publishes with nobody subscribed.
 * The status messages of that request are then lost, and jupyter_client's
 * wait_for_ready (nbclient, jupyter console) waits a whole second for them
 * before asking again: a fast start paid that second about every other time.
 * An XPUB socket tells the kernel when a subscription arrives; until the
 * first one, messages wait here, bounded, the oldest dropped first.
 */
import type { Frame, Sendable } from "./send-queue.js";

/** Enough for a start-up's status messages many times over; bounded for a client that never subscribes. */
const MAX_HELD = 256;
const MAX_HELD_BYTES = 8 << 20;

export class HeldUntilSubscribed implements Sendable {
  private held: Frame[][] | undefined = [];
  private heldBytes = 0;
  private releasing: Promise<void> = Promise.resolve();

  constructor(private readonly socket: Sendable) {}

  /** Called by a single sender at a time (a SendQueue). */
  async send(frames: Frame[]): Promise<void> {
    if (this.held) {
      this.held.push(frames);
      this.heldBytes += size(frames);
      while (this.held.length > MAX_HELD || (this.heldBytes > MAX_HELD_BYTES && this.held.length > 1)) this.heldBytes -= size(this.held.shift()!);
      return;
    }
    await this.releasing;
    return this.socket.send(frames);
  }

  /** A subscription came in: what was held goes out first, in order. Later subscribers get only what follows. */
  subscribed(): void {
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    this.heldBytes = 0;
    this.releasing = (async () => {
      for (const frames of held) {
        try {
          await this.socket.send(frames);
        } catch {
          // A socket closing under a release loses what is left, as a PUB would.
          return;
        }
      }
    })();
  }

  /** Messages waiting for a subscriber. */
  get waiting(): number {
    return this.held?.length ?? 0;
  }
}

function size(frames: Frame[]): number {
  let n = 0;
  for (const f of frames) n += typeof f === "string" ? Buffer.byteLength(f) : f.byteLength;
  return n;
}

/** Reads an XPUB socket's subscription messages (first byte 1: subscribe) until it closes. */
export async function watchSubscriptions(socket: AsyncIterable<Buffer[]>, onSubscribe: () => void): Promise<void> {
  try {
    for await (const [frame] of socket) if (frame?.[0] === 1) onSubscribe();
  } catch {
    // closed
  }
}
