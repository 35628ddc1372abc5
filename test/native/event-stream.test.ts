// EventStream (magics/events.ts) over real readers: wake-ups decoded in
// batches, order kept, and a full queue counted as lost.
import { afterEach, describe, expect, it } from "vitest";
import { EventStream } from "../../magics/events.js";
import * as native from "../../native/index.js";
import { compile, compileEventCodec, type Module } from "../../native/index.js";
import { getpriorityTimes, onOneCpu } from "./helpers.js";

let m: Module | undefined;
afterEach(() => m?.close());

const source = (output: string, submit: string) => `
struct event { u64 seq; u32 pid; };
${output}
BPF_ARRAY(seq, u64, 1);
TRACEPOINT_PROBE(syscalls, sys_enter_getpriority) {
  if ((bpf_get_current_pid_tgid() >> 32) != ${process.pid}) return 0;
  int zero = 0;
  u64 *s = seq.lookup(&zero);
  if (!s) return 0;
  struct event e = {};
  e.seq = __sync_fetch_and_add(s, 1);
  e.pid = ${process.pid};
  ${submit};
  return 0;
}`;

const api = native as unknown as ConstructorParameters<typeof EventStream>[2];

describe("event streams over packed wake-ups", () => {
  for (const kind of ["ring", "perf"] as const) {
    it(`${kind}: delivers in order, and counts what a full queue turned away`, async () => {
      m = await compile(
        kind === "ring"
          ? source("BPF_RINGBUF_OUTPUT(events, 64);", "events.ringbuf_output(&e, sizeof(e), 0)")
          : source("BPF_PERF_OUTPUT(events);", "events.perf_submit(args, &e, sizeof(e))"),
      );
      const p = await m.load("tracepoint__syscalls__sys_enter_getpriority", "tracepoint");
      const map = m.map("events");
      const codec = compileEventCodec<{ seq: bigint; pid: number }>(map.eventFields);
      const stream = new EventStream(map, codec, api, { maxQueue: 300, signal: new AbortController().signal });
      const it = stream[Symbol.asyncIterator]();
      const first = it.next();  // opens the reader
      p.attachTracepoint("syscalls", "sys_enter_getpriority");
      // One burst while nothing takes from the queue: 300 fit, the rest are turned away.
      onOneCpu(() => getpriorityTimes(1000));
      const got: bigint[] = [];
      for (let r = await first; !r.done; r = await it.next()) {
        got.push(r.value.seq);
        expect(r.value.pid).toBe(process.pid);
        if (stream.received >= 1000 && got.length === 300) break;
      }
      console.log(`${kind} stream: received ${stream.received}, delivered ${got.length}, lost ${stream.lost}, peak fill ${stream.peakFill}`);
      expect(got).toEqual(Array.from({ length: 300 }, (_, i) => BigInt(i)));
      expect(stream.lost).toBe(700);
      expect(stream.lostCounted).toBe(kind === "perf");
      if (kind === "ring") expect(stream.peakFill).toBeGreaterThan(0);
      else expect(stream.peakFill).toBeUndefined();
      // Taken events are released; later ones still arrive.
      getpriorityTimes(5);
      const more = await it.next();
      expect(more.done).toBe(false);
      expect((more.value as { seq: bigint }).seq).toBe(1000n);
      await it.return?.();
      expect(stream.closed).toBe(true);
    });
  }
});
