/**
 * Capture: a %%bpf program whose map reads and event streams are recorded.
 * The program is rebuilt over proxies of its module, maps and event readers
 * (same hooks, same maps, nothing reloaded): every readAll() (a table, a
 * histogram, each watch frame, a snapshot) becomes one Parquet file, every
 * event stream one file when it closes, and the run and its files are listed
 * in the folder's index.json.
 */
import { release } from "node:os";
import { join } from "node:path";
import type { BpfMap, EventCallback, EventReader, Module } from "../../native/types.js";

type Packed = { onPacked: (data: Buffer, offsets: Uint32Array) => void };
import type { MagicBlock } from "../../kernel/plugin.js";
import { libbccVersion } from "../environment.js";
import type { NativeApi } from "../native-api.js";
import { Program } from "../program.js";
import { ioOr } from "../session.js";
import { readManifest, writeManifest, type CaptureFile, type Manifest, type RecordedRun } from "./manifest.js";
import { captureDir, mode, shown } from "./mode.js";
import { noteFor, type CaptureNote } from "./origins.js";
import { valueStride } from "./table-of.js";
import { append, newSink, slab as newSlab, stage, track, writeCapture } from "./writer.js";
import { watchNow } from "./watching.js";

let manifest: { dir: string; m: Manifest } | undefined;

function currentManifest(dir: string): Manifest {
  if (manifest?.dir !== dir) manifest = { dir, m: readManifest(dir) ?? { format: "ibcc-capture", version: 1, runs: [] } };
  return manifest.m;
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, "_");

class Recording {
  private seq = new Map<string, number>();
  readonly note: CaptureNote;

  constructor(
    readonly dir: string,
    readonly run: RecordedRun,
  ) {
    this.note = { dir: shown(dir), replayed: false };
  }

  private nextName(map: string, kind: "read" | "events"): { file: string; seq: number } {
    const k = `${kind}:${map}`;
    const seq = this.seq.get(k) ?? 0;
    this.seq.set(k, seq + 1);
    return { file: `${safe(this.run.program)}-${this.run.run}-${safe(map)}-${kind}${seq}.parquet`, seq };
  }

  private add(entry: CaptureFile, read: Parameters<typeof writeCapture>[1]): void {
    this.run.captures.push(entry);
    this.note.file = entry.file;
    const source = `%%bpf ${this.run.args}\n${this.run.body}`;
    const meta = { program: this.run.program, run: this.run.run, source, kernelRelease: this.run.kernelRelease, libbccVersion: this.run.libbccVersion, programTag: this.run.functions.map((f) => f.tag).join(","), attachedAt: this.run.attachedAt, ...entry };
    const m = currentManifest(this.dir);
    void track(
      writeCapture(join(this.dir, entry.file), read, meta).then((done) => {
        if (done.error) {
          entry.error = done.error;
          ioOr().stream("stderr", `capture ${entry.file} was not written: ${done.error}\n`);
        } else entry.bytes = done.bytes;
        writeManifest(this.dir, m);
      }),
    );
  }

  read(map: BpfMap, r: { keys: Buffer; values: Buffer; count: number }): void {
    if (!mode.capturing) return;
    const { file, seq } = this.nextName(map.name, "read");
    const count = Math.min(r.count, mode.maxRows);
    const stride = valueStride({ valueSize: map.valueSize, perCpu: map.perCpu, cpus: map.possibleCpus });
    // The one copy on the reading thread: the read's Buffers stay the caller's.
    const kb = count * map.keySize;
    const staged = stage(kb + count * stride);
    staged.set(r.keys.subarray(0, kb), 0);
    staged.set(r.values.subarray(0, count * stride), kb);
    const keys = staged.subarray(0, kb);
    const values = staged.subarray(kb);
    if (count < r.count) ioOr().stream("stderr", `capture of ${map.name} cut at ${count} of ${r.count} entries (%capture --max-rows)\n`);
    const entry: CaptureFile = { file, map: map.name, kind: "read", seq, rows: count, at: new Date().toISOString() };
    if (count < r.count) entry.cutFrom = r.count;
    const w = watchNow();
    if (w !== undefined) entry.watch = w;
    this.add(entry, { kind: "map", count, keys, values, keySize: map.keySize, valueSize: map.valueSize, perCpu: map.perCpu, cpus: map.possibleCpus, keyDesc: map.keyDesc, valueDesc: map.valueDesc });
  }

  events(map: BpfMap, reader: EventReader, cb: EventCallback): { cb: EventCallback; close: () => void } | undefined {
    const codec = this.run.eventCodecs[map.name];
    if (!mode.capturing || !codec) return undefined;
    const size = codec.size;
    const sample = mode.sample;
    const limit = mode.maxRows;
    // Each wake-up's bytes are copied as they come into large slabs (no
    // allocation per wake-up, nothing for the young generation to move); the
    // writer thread lays the records out at a fixed stride.
    const sink = newSink();
    let slab: Uint8Array = new Uint8Array(0);
    let used = 0;
    let total = 0;
    let offsets = new Uint32Array(1 << 16);
    let count = 0;
    let seen = 0;
    const keep = (data: Buffer, from: number, to: number) => {
      const len = to - from;
      if (used + len > slab.length) {
        if (used) append(sink, slab.subarray(0, used));
        slab = newSlab(len);
        used = 0;
      }
      slab.set(data.subarray(from, to), used);
      used += len;
      total += len;
    };
    const room = (n: number) => {
      if (count + n + 1 <= offsets.length) return;
      const bigger = new Uint32Array(Math.max(offsets.length * 2, count + n + 1));
      bigger.set(offsets.subarray(0, count));
      offsets = bigger;
    };
    const onPacked = (data: Buffer, offs: Uint32Array) => {
      const n = offs.length - 1;
      if (sample === 1 && count + n <= limit) {
        room(n);
        const shift = total - offs[0];
        for (let i = 0; i < n; i++) offsets[count++] = offs[i] + shift;
        keep(data, offs[0], offs[n]);
        seen += n;
      } else {
        for (let i = 0; i < n; i++, seen++) {
          if (seen % sample !== 0 || count >= limit) continue;
          room(1);
          offsets[count++] = total;
          keep(data, offs[i], offs[i + 1]);
        }
      }
      (cb as Packed).onPacked(data, offs);
    };
    let done = false;
    const close = () => {
      if (done) return;
      done = true;
      const parts = used ? [slab.slice(0, used)] : [];
      const ends = new Uint32Array(count + 1);
      ends.set(offsets.subarray(0, count));
      ends[count] = total;
      const { file, seq } = this.nextName(map.name, "events");
      const entry: CaptureFile = { file, map: map.name, kind: "events", seq, rows: count, lost: reader.lost, at: new Date().toISOString() };
      if (sample > 1) entry.sample = sample;
      if (count >= limit && seen > count * sample) {
        entry.cutFrom = seen;
        ioOr().stream("stderr", `capture of ${map.name} events cut at ${count} of ${seen} (%capture --max-rows)\n`);
      }
      this.add(entry, { kind: "events", count, parts, sink, offsets: ends, size, desc: codec.desc });
    };
    return { cb: { ...cb, onPacked }, close };
  }
}

/** This process's recording session in each folder. */
const sessions = new Map<string, number>();

function runOf(p: Program, block: MagicBlock, dir: string): RecordedRun {
  const m = currentManifest(dir);
  let session = sessions.get(dir);
  if (session === undefined) sessions.set(dir, (session = m.runs.reduce((n, r) => Math.max(n, r.session ?? 0), 0) + 1));
  const maps = p.module.mapNames.map((name) => {
    const x = p.module.map(name);
    return { name, type: x.type, keySize: x.keySize, valueSize: x.valueSize, maxEntries: x.maxEntries, perCpu: x.perCpu, possibleCpus: x.possibleCpus, keyDesc: x.keyDesc, valueDesc: x.valueDesc, eventFields: x.eventFields };
  });
  const eventCodecs: RecordedRun["eventCodecs"] = {};
  for (const [name, c] of p.eventCodecs) if (c.description !== undefined) eventCodecs[name] = { desc: c.description, size: c.size };
  const run: RecordedRun = {
    run: m.runs.reduce((n, r) => Math.max(n, r.run), 0) + 1,
    session,
    program: p.name,
    args: block.args.trim(),
    body: block.body,
    kernelRelease: release(),
    libbccVersion: libbccVersion() ?? "unknown",
    attachedAt: p.origin.attachedAt.toISOString(),
    functions: [...p.functions.entries()].map(([fn, f]) => ({ fn, type: f.type, id: f.id, tag: f.tag })),
    attached: p.attached.map((a) => ({ fn: a.fn, spec: a.spec, origin: a.origin })),
    maps,
    eventCodecs,
    captures: [],
  };
  m.runs.push(run);
  writeManifest(dir, m);
  return run;
}

/** The program, rebuilt to record its reads while %capture is on; as it is otherwise. */
export function recordProgram(p: Program, block: MagicBlock, api: NativeApi): Program {
  if (!mode.capturing) return p;
  const dir = captureDir();
  const rec = new Recording(dir, runOf(p, block, dir));
  const targets = new WeakMap<object, BpfMap>();
  const maps = new Map<string, BpfMap>();
  const wrapMap = (m: BpfMap): BpfMap => {
    const proxy = new Proxy(m, {
      get(t, k) {
        if (k === "readAll")
          return () => {
            const r = t.readAll();
            rec.read(t, r);
            return r;
          };
        const v = Reflect.get(t, k, t);
        return typeof v === "function" ? v.bind(t) : v;
      },
    });
    targets.set(proxy, m);
    return proxy;
  };
  const module = new Proxy(p.module, {
    get(t, k) {
      if (k === "map")
        return (name: string) => {
          let m = maps.get(name);
          if (!m) maps.set(name, (m = wrapMap(t.map(name))));
          return m;
        };
      const v = Reflect.get(t, k, t);
      return typeof v === "function" ? v.bind(t) : v;
    },
  }) as Module;
  const openWith = (open: (m: BpfMap, cb: EventCallback) => EventReader) => (map: BpfMap, cb: EventCallback) => {
    const real = targets.get(map) ?? map;
    let tap: ReturnType<Recording["events"]>;
    const reader = open(real, { ...cb, onPacked: (d: Buffer, o: Uint32Array) => (tap ? (tap.cb as Packed) : (cb as Packed)).onPacked(d, o) });
    tap = rec.events(real, reader, cb);
    if (!tap) return reader;
    const t = tap;
    return new Proxy(reader, {
      get(r, k) {
        if (k === "close")
          return () => {
            r.close();
            t.close();
          };
        const v = Reflect.get(r, k, r);
        return typeof v === "function" ? v.bind(r) : v;
      },
    });
  };
  const recordingApi: NativeApi = {
    ...api,
    openPerfBuffer: (map, cb, opts) => openWith((m, c) => api.openPerfBuffer(m, c, opts))(map, cb),
    openRingBuffer: (map, cb) => openWith((m, c) => api.openRingBuffer(m, c))(map, cb),
  };
  const recorded = new Program(p.name, p.spec, module, p.functions, p.attached, p.eventCodecs, recordingApi);
  recorded.source = p.source;
  noteFor(recorded.origin, rec.note);
  return recorded;
}

/** Forgets the cached index (a new folder, or %capture off). */
export function closeManifest(): void {
  manifest = undefined;
}
