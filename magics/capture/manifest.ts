/**
 * The capture folder's index.json: one entry per recorded %%bpf run (its
 * text, the kernel and libbcc it ran on, its maps' shapes and event types)
 * listing the Parquet files of what was read from it, in order. Replay finds
 * a program's data through it; data tools need only the Parquet files.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MapShape } from "./frozen-map.js";

export const INDEX = "index.json";

export interface CaptureFile {
  file: string;
  map: string;
  kind: "read" | "events";
  /** 0-based: the n-th read (or stream) of this map in its run. */
  seq: number;
  rows: number;
  /** The watch whose frame this read was (see watching.ts). */
  watch?: number;
  /** Rows (or events) there were, when the capture was cut at its limit. */
  cutFrom?: number;
  /** Events the kernel or the stream's queue dropped while recording. */
  lost?: number;
  /** Keep 1 event in `sample`. */
  sample?: number;
  at: string;
  bytes?: number;
  error?: string;
}

export interface RecordedRun {
  run: number;
  /** One per recording kernel process: a notebook recorded again replays its latest recording. */
  session?: number;
  program: string;
  args: string;
  body: string;
  kernelRelease: string;
  libbccVersion: string;
  attachedAt: string;
  functions: { fn: string; type: string; id: number; tag: string }[];
  attached: { fn: string; spec: unknown; origin: "option" | "convention" }[];
  maps: MapShape[];
  eventCodecs: Record<string, { desc: unknown; size: number }>;
  captures: CaptureFile[];
}

export interface Manifest {
  format: "ibcc-capture";
  version: 1;
  runs: RecordedRun[];
}

export function readManifest(dir: string): Manifest | undefined {
  const p = join(dir, INDEX);
  if (!existsSync(p)) return undefined;
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(p, "utf8")) as Manifest;
  } catch (e) {
    throw new Error(`${p} cannot be read as a capture index: ${(e as Error).message}`);
  }
  if (m?.format !== "ibcc-capture" || !Array.isArray(m.runs)) throw new Error(`${p} is not an ibcc capture index`);
  return m;
}

export function writeManifest(dir: string, m: Manifest): void {
  mkdirSync(dir, { recursive: true });
  const p = join(dir, INDEX);
  writeFileSync(`${p}.part`, JSON.stringify(m, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 1));
  renameSync(`${p}.part`, p);
}
