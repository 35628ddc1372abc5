/**
 * Refuses a signed message whose signature was already seen. The HMAC covers
 * the header, whose msg_id is unique per message, so a second message with
 * the same signature is a replay of the first: someone who captured a valid
 * execute_request off the wire must not be able to run it again. Like
 * ipykernel's digest history, the memory is bounded: the oldest of
 * CAPACITY signatures is forgotten first. Unsigned connections (no key) have
 * no signatures to compare and are not guarded.
 */
const DELIMITER = Buffer.from("<IDS|MSG>");

export class ReplayGuard {
  static readonly CAPACITY = 65_536;
  private readonly seen = new Set<string>();
  private readonly order: string[] = [];
  private next = 0;

  constructor(private readonly capacity = ReplayGuard.CAPACITY) {}

  /** True when the message is new (and remembers it); false for a replay. */
  admit(frames: readonly Uint8Array[]): boolean {
    const at = frames.findIndex((f) => DELIMITER.equals(f));
    const sig = at >= 0 && at + 1 < frames.length ? Buffer.from(frames[at + 1]).toString("latin1") : "";
    if (sig === "") return true;
    if (this.seen.has(sig)) return false;
    if (this.order.length < this.capacity) this.order.push(sig);
    else {
      this.seen.delete(this.order[this.next]);
      this.order[this.next] = sig;
      this.next = (this.next + 1) % this.capacity;
    }
    this.seen.add(sig);
    return true;
  }
}
