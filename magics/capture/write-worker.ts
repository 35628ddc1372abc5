/**
 * The capture writer's thread: turns a read into its Arrow table and a zstd
 * Parquet file, so that encoding and compressing a 1M-entry read never runs
 * on the kernel's thread. A file appears whole (written beside, then renamed).
 */
import { renameSync, writeFileSync } from "node:fs";
import { parentPort } from "node:worker_threads";
import { parquetReady, toParquet } from "./parquet.js";
import { captureTable, type EventRead, type MapRead } from "./table-of.js";

export interface WriteJob {
  id: number;
  file: string;
  read: MapRead | EventRead;
  meta: Record<string, unknown>;
}

export interface WriteDone {
  id: number;
  bytes?: number;
  error?: string;
}

const ready = parquetReady();
/** Event streams' bytes received so far, by sink. */
const sinks = new Map<number, Buffer[]>();

parentPort!.on("message", async (msg: WriteJob | { append: number; part: Uint8Array }) => {
  if ("append" in msg) {
    let parts = sinks.get(msg.append);
    if (!parts) sinks.set(msg.append, (parts = []));
    parts.push(Buffer.from(msg.part));
    parentPort!.postMessage({ returned: msg.part.buffer }, [msg.part.buffer as ArrayBuffer]);
    return;
  }
  const job = msg;
  if (job.read.kind === "map" && job.read.keys.buffer instanceof SharedArrayBuffer) {
    const shared = job.read.keys.buffer;
    job.read.keys = new Uint8Array(job.read.keys);
    job.read.values = new Uint8Array(job.read.values);
    parentPort!.postMessage({ released: shared });
  }
  if (job.read.kind === "events" && job.read.sink !== undefined) {
    job.read.parts = [...(sinks.get(job.read.sink) ?? []), ...job.read.parts];
    sinks.delete(job.read.sink);
  }
  try {
    await ready;
    const bytes = toParquet(captureTable(job.read, job.meta));
    writeFileSync(`${job.file}.part`, bytes);
    renameSync(`${job.file}.part`, job.file);
    parentPort!.postMessage({ id: job.id, bytes: bytes.length } satisfies WriteDone);
  } catch (e) {
    parentPort!.postMessage({ id: job.id, error: (e as Error).message } satisfies WriteDone);
  }
});
