/** What iopub holds before its first subscriber: everything, in order, bounded; nothing after. */
import { describe, expect, it } from "vitest";
import { HeldUntilSubscribed } from "../../kernel/transport/iopub-hold.js";
import { SendQueue } from "../../kernel/transport/send-queue.js";

function recorder(): { sent: string[]; send(frames: Buffer[]): Promise<void> } {
  const sent: string[] = [];
  return {
    sent,
    // One tick per send, as a zeromq socket resolves later.
    send: async (frames) => {
      await new Promise((r) => setImmediate(r));
      sent.push(frames.map((f) => f.toString()).join("|"));
    },
  };
}

describe("iopub before its first subscriber", () => {
  it("holds messages until a subscription, then sends them before anything later, in order", async () => {
    const socket = recorder();
    const early = new HeldUntilSubscribed(socket);
    const q = new SendQueue(early, "iopub");
    q.send([Buffer.from("starting")]);
    q.send([Buffer.from("busy")]);
    await q.flush();
    expect(socket.sent).toEqual([]);
    expect(early.waiting).toBe(2);
    early.subscribed();
    q.send([Buffer.from("idle")]);
    early.subscribed(); // a second subscriber gets only what follows
    q.send([Buffer.from("stream")]);
    await q.flush();
    expect(socket.sent).toEqual(["starting", "busy", "idle", "stream"]);
    expect(early.waiting).toBe(0);
  });

  it("keeps only the newest messages for a client that never subscribes", async () => {
    const socket = recorder();
    const early = new HeldUntilSubscribed(socket);
    for (let i = 0; i < 1000; i++) await early.send([Buffer.from(`m${i}`)]);
    expect(early.waiting).toBe(256);
    for (let i = 0; i < 3; i++) await early.send([Buffer.alloc(4 << 20, 65 + i)]);
    // 8 MB at most: the small ones went first, then the oldest large one.
    expect(early.waiting).toBe(2);
    early.subscribed();
    await early.send([Buffer.from("after")]);
    expect(socket.sent.map((m) => (m.length > 100 ? m[0] : m))).toEqual(["B", "C", "after"]);
  });
});
