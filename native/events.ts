/**
 * Perf and ring buffer readers. The addon watches the buffers' fds with libuv,
 * so events arrive through the Node event loop: no thread, no polling. Each
 * wake-up gives one call with every event that was ready, copied by the addon
 * into a pooled slab with an offsets array (see event_sink.h); the Buffer[]
 * form hands out views of that one copy.
 */
import { binding, type Batch } from "./binding.js";
import { onlineCpus } from "./cpus.js";
import type { BpfMapImpl } from "./map.js";
import { closedError, native } from "./native-error.js";
import { Owned } from "./owner.js";
import type { Codec } from "./codec.js";
import {
  BpfError, type BpfMap, type EventCallback, type EventReader, type PackedCallback, type PerfBufferOptions,
} from "./types.js";

class EventReaderImpl extends Owned implements EventReader {
  lost = 0;
  received = 0;
  peakFill: number | undefined = undefined;
  constructor(
    owner: Owned,
    readonly lostCounted: boolean,
  ) {
    super(owner);
  }
  handle = -1;
  fds: number[] = [];

  adopt(r: { handle: number; fds: number[] }): void {
    this.handle = this.own(r.handle);
    this.fds = r.fds;
  }

  protected free(): void {
    if (this.handle >= 0) this.releaseHandle(this.handle);
  }
}

function ownerOf(map: BpfMap, op: string, type: string): Owned {
  const owner = (map as BpfMapImpl).owner;
  if (!owner) throw new BpfError(`${op}: ${map.name} is not a map of a compiled module`, "EINVAL", 22, op);
  if (owner.closed) throw closedError(`the map ${map.name}`, op);
  if (map.type !== type)
    throw new BpfError(`${op}: ${map.name} is a ${map.type} map, not a ${type} map`, "EINVAL", 22, op);
  return owner;
}

/** Event i of a packed wake-up as a view (no copy) of its bytes. */
export function unpack(data: Buffer, offsets: Uint32Array): Buffer[] {
  const n = offsets.length - 1;
  const out = new Array<Buffer>(n);
  for (let i = 0; i < n; i++) out[i] = data.subarray(offsets[i], offsets[i + 1]);
  return out;
}

/** Every event of a packed wake-up decoded, straight from the one Buffer. */
export function decodePacked<T>(codec: Codec<T>, data: Buffer, offsets: Uint32Array): T[] {
  return codec.decodePacked(data, offsets);
}

function open(owner: Owned, cb: EventCallback, lostCounted: boolean, start: (cb: Batch) => { handle: number; fds: number[] }): EventReader {
  const reader = new EventReaderImpl(owner, lostCounted);
  const packed: PackedCallback =
    typeof cb === "function" ? (data, offsets, lost) => cb(unpack(data, offsets), lost) : cb.onPacked;
  if (typeof packed !== "function") throw new TypeError("an event reader needs a callback or { onPacked }");
  try {
    const r = native(() =>
      start(((slab, dataAt, length, offsetsAt, count, lost, fill) => {
        reader.received += count;
        reader.lost += lost;
        if (fill !== undefined && fill > (reader.peakFill ?? -1)) reader.peakFill = fill;
        packed(Buffer.from(slab, dataAt, length), new Uint32Array(slab, offsetsAt, count + 1), lost);
      }) satisfies Batch));
    reader.adopt(r);
  } catch (e) {
    reader.close();
    throw e;
  }
  return reader;
}

// A wake-up per event costs the traced program a context switch each: on the
// bench's getppid loop that made it 4x slower, against 1.1x at 64 (and more
// events delivered, none lost). The timer bounds how long a slow trickle of
// events can sit below the threshold.
const DEFAULT_WAKEUP = 64;
const DEFAULT_FLUSH_MS = 100;

export function openPerfBuffer(map: BpfMap, onBatch: EventCallback, opts: PerfBufferOptions = {}): EventReader {
  const owner = ownerOf(map, "open_perf_buffer", "perf_event_array");
  const pages = opts.pageCount ?? 64;
  if (pages < 1 || (pages & (pages - 1)) !== 0)
    throw new BpfError(`open_perf_buffer: pageCount must be a power of two, not ${pages}`, "EINVAL", 22, "open_perf_buffer");
  const wakeup = opts.wakeupEvents ?? DEFAULT_WAKEUP;
  if (!Number.isInteger(wakeup) || wakeup < 1)
    throw new BpfError(`open_perf_buffer: wakeupEvents must be a whole number >= 1, not ${wakeup}`, "EINVAL", 22, "open_perf_buffer");
  const flush = opts.flushMs ?? DEFAULT_FLUSH_MS;
  return open(owner, onBatch, true, (cb) => binding.openPerfBuffer(map.fd, onlineCpus(), pages, wakeup, cb, flush));
}

/**
 * Ring buffer losses are not counted by the kernel (a full ring makes the
 * program's bpf_ringbuf_output/reserve fail, and nothing records it), so
 * `lost` is always 0 here and `lostCounted` false: it does not mean nothing
 * was dropped. `peakFill` says how close the ring came to full. A program that
 * needs the figure counts its failed submits in a map of its own.
 *
 * A busy ring is read every 1-10 ms rather than on each of the kernel's
 * wake-ups (one per few events), at an interval that keeps it under an eighth
 * full at the rate seen; a quiet one wakes the reader as usual.
 */
export function openRingBuffer(map: BpfMap, onBatch: EventCallback): EventReader {
  const owner = ownerOf(map, "open_ring_buffer", "ringbuf");
  return open(owner, onBatch, false, (cb) => binding.openRingBuffer(map.fd, cb));
}
