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

parentPort!.on("message", async (job: WriteJob) => {
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
