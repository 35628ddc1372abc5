/**
 * Perf and ring buffer readers. The addon watches the buffers' fds with libuv,
 * so events arrive through the Node event loop: no thread, no polling. Each
 * wake-up gives one onBatch call with every event that was ready.
 */
import { binding } from "./binding.js";
import { onlineCpus } from "./cpus.js";
import type { BpfMapImpl } from "./map.js";
import { closedError, native } from "./native-error.js";
import { Owned } from "./owner.js";
import { BpfError, type BatchCallback, type BpfMap, type EventReader, type PerfBufferOptions } from "./types.js";

class EventReaderImpl extends Owned implements EventReader {
  lost = 0;
  received = 0;
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

function open(owner: Owned, onBatch: BatchCallback, start: (cb: BatchCallback) => { handle: number; fds: number[] }): EventReader {
  const reader = new EventReaderImpl(owner);
  try {
    const r = native(() =>
      start((events, lost) => {
        reader.received += events.length;
        reader.lost += lost;
        onBatch(events, lost);
      }));
    reader.adopt(r);
  } catch (e) {
    reader.close();
    throw e;
  }
  return reader;
}

export function openPerfBuffer(map: BpfMap, onBatch: BatchCallback, opts: PerfBufferOptions = {}): EventReader {
  const owner = ownerOf(map, "open_perf_buffer", "perf_event_array");
  const pages = opts.pageCount ?? 64;
  if (pages < 1 || (pages & (pages - 1)) !== 0)
    throw new BpfError(`open_perf_buffer: pageCount must be a power of two, not ${pages}`, "EINVAL", 22, "open_perf_buffer");
  return open(owner, onBatch, (cb) => binding.openPerfBuffer(map.fd, onlineCpus(), pages, opts.wakeupEvents ?? 1, cb));
}

/** Ring buffer losses are not counted by the kernel, so lost stays 0 (see ring_buffer.cc). */
export function openRingBuffer(map: BpfMap, onBatch: BatchCallback): EventReader {
  const owner = ownerOf(map, "open_ring_buffer", "ringbuf");
  return open(owner, onBatch, (cb) => binding.openRingBuffer(map.fd, cb));
}
