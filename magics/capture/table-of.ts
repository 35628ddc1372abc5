/**
 * One capture as an Arrow table: the raw bytes of every key and value (or
 * event) exactly as the kernel gave them, which replay decodes again with the
 * same codecs, and beside them the decoded columns data tools read. The
 * capture's description travels in the schema metadata under "ibcc".
 */
import { columnsOf, mapCodec } from "../../native/typed-map.js";
import type { BpfMap } from "../../native/types.js";
import { arrow, flattenColumn, type ArrowTable } from "./arrow.js";
import type * as ArrowNs from "apache-arrow";

export interface MapRead {
  kind: "map";
  count: number;
  keys: Uint8Array;
  values: Uint8Array;
  keySize: number;
  valueSize: number;
  perCpu: boolean;
  cpus: number;
  keyDesc: unknown;
  valueDesc: unknown;
}

export interface EventRead {
  kind: "events";
  count: number;
  /** The records as read, in parts, packed (a perf record carries padding after the event). */
  parts: Uint8Array[];
  /** The writer thread's sink that holds the parts sent before (writer.ts append). */
  sink?: number;
  /** Where each record starts in the parts joined, and their end (count + 1). */
  offsets: Uint32Array;
  size: number;
  /** The event codec's description (compileCodec's input). */
  desc: unknown;
}

const round8 = (n: number) => (n + 7) & ~7;

export function valueStride(r: { valueSize: number; perCpu: boolean; cpus: number }): number {
  return r.perCpu ? r.cpus * round8(r.valueSize) : r.valueSize;
}

function bytesVector(bytes: Uint8Array, width: number, count: number): ArrowNs.Vector {
  const A = arrow();
  return A.makeVector(A.makeData({ type: new A.FixedSizeBinary(Math.max(1, width)), length: count, data: bytes.subarray(0, width * count) }));
}

const asBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

export function captureTable(read: MapRead | EventRead, meta: Record<string, unknown>): ArrowTable {
  const A = arrow();
  const vectors: Record<string, ArrowNs.Vector> = {};
  if (read.kind === "map") {
    const key = mapCodec(read.keyDesc, read.keySize);
    const value = mapCodec(read.valueDesc, read.valueSize);
    const fake = { perCpu: read.perCpu, possibleCpus: read.cpus } as BpfMap;
    // columnsOf views its input: give it private copies aligned for typed arrays.
    const cols = columnsOf(fake, key, value, { keys: Buffer.from(read.keys), values: Buffer.from(read.values), count: read.count });
    flattenColumn("key", cols.keys, vectors);
    flattenColumn("value", cols.values, vectors);
    vectors.key_bytes = bytesVector(read.keys, read.keySize, read.count);
    vectors.value_bytes = bytesVector(read.values, valueStride(read), read.count);
  } else {
    const codec = mapCodec(read.desc, read.size);
    const joined = read.parts.length === 1 ? read.parts[0] : Buffer.concat(read.parts);
    const data = atStride(joined, read.offsets, read.size);
    flattenColumn("event", codec.columns(Buffer.from(data), read.count, read.size), vectors);
    vectors.event_bytes = bytesVector(data, read.size, read.count);
  }
  const t = new A.Table(vectors);
  const schema = new A.Schema(t.schema.fields, new Map([["ibcc", JSON.stringify(meta)]]));
  return new A.Table(schema, t.batches.map((b) => new A.RecordBatch(schema, b.data)));
}

/** Packed records (a perf record carries padding after the event) laid out one every `size` bytes. */
function atStride(data: Uint8Array, offsets: Uint32Array, size: number): Uint8Array {
  const n = offsets.length - 1;
  const out = new Uint8Array(n * size);
  for (let i = 0; i < n; i++) out.set(data.subarray(offsets[i], Math.min(offsets[i] + size, offsets[i + 1])), i * size);
  return out;
}

export function captureMeta(t: ArrowTable): Record<string, unknown> {
  const m = t.schema.metadata.get("ibcc");
  return m ? (JSON.parse(m) as Record<string, unknown>) : {};
}

/** The raw column `name` as one contiguous Buffer of count * width bytes. */
export function rawBytes(t: ArrowTable, name: string): Buffer {
  const col = t.getChild(name);
  if (!col) throw new Error(`the capture has no column ${name}`);
  const parts = col.data.map((d) => {
    const w = (d.type as ArrowNs.FixedSizeBinary).byteWidth;
    return asBuffer((d.values as Uint8Array).subarray(d.offset * w, (d.offset + d.length) * w));
  });
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}
