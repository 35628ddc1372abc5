/**
 * Replay: a %%bpf NAME cell bound to what a recorded run of NAME read, with
 * nothing compiled, loaded or attached. Its maps serve the recorded reads in
 * order (the n-th readAll() gets the n-th recorded read, and the last one
 * after that); its event streams serve the recorded streams in order and end
 * when the recording does. Tables, histograms, watches and events() work on
 * it unchanged.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compileCodec, type Codec } from "../../native/codec.js";
import type { BpfMap, EventCallback, EventReader, Module, Program as NativeProgram } from "../../native/types.js";
import { CellError, type MagicBlock } from "../../kernel/plugin.js";
import type { NativeApi } from "../native-api.js";
import { Program, type AttachedHook } from "../program.js";
import type { BlockSpec } from "../spec/types.js";
import { FrozenMap, type Read } from "./frozen-map.js";
import { INDEX, readManifest, type CaptureFile, type RecordedRun } from "./manifest.js";
import { captureDir, shown } from "./mode.js";
import { noteFor, type CaptureNote } from "./origins.js";
import { fromParquet, parquetReady } from "./parquet.js";
import { rawBytes } from "./table-of.js";
import { ReplayEnded, watchNow } from "./watching.js";

/** How many times each program name was bound by replay: the n-th run of a cell replays the n-th recorded run. */
const bound = new Map<string, number>();

function pickRun(runs: RecordedRun[], spec: BlockSpec, block: MagicBlock): RecordedRun | undefined {
  // The latest recording that ran this program: a notebook recorded again replaces what it recorded before.
  const all = runs.filter((r) => r.program === spec.name);
  const latest = all.reduce((n, r) => Math.max(n, r.session ?? 0), 0);
  const named = all.filter((r) => (r.session ?? 0) === latest);
  const same = named.filter((r) => r.body === block.body && r.args === block.args.trim());
  const pool = same.length ? same : named;
  if (!pool.length) return undefined;
  const n = bound.get(spec.name) ?? 0;
  bound.set(spec.name, n + 1);
  return pool[Math.min(n, pool.length - 1)];
}

function load(dir: string, c: CaptureFile) {
  if (c.error) throw new Error(`${c.file} was never written (${c.error})`);
  return fromParquet(readFileSync(join(dir, c.file)));
}

function neverRead(program: string, map: string, what: string, dir: string): Error {
  return new Error(`${program}.${map}: the capture in ${dir} holds no ${what} of this map (the recording notebook never read it); run with BPF to see live data`);
}

/** Starts a recorded event stream: batches at the consumer's pace, then the end. */
function replayReader(dir: string, c: CaptureFile, size: number, cb: EventCallback & { onEnd?: () => void; pending?: () => number }): EventReader {
  const t = load(dir, c);
  const data = rawBytes(t, "event_bytes");
  const count = t.numRows;
  let at = 0;
  let closed = false;
  const step = () => {
    if (closed) return;
    if ((cb.pending?.() ?? 0) > 50_000) return void setTimeout(step, 1);
    const n = Math.min(4096, count - at);
    if (n > 0) {
      const offsets = new Uint32Array(n + 1);
      for (let i = 0; i <= n; i++) offsets[i] = (at + i) * size;
      at += n;
      (cb as { onPacked: (d: Buffer, o: Uint32Array) => void }).onPacked(data, offsets);
    }
    if (at < count) setImmediate(step);
    else cb.onEnd?.();
  };
  setImmediate(step);
  return {
    get lost() {
      return c.lost ?? 0;
    },
    get received() {
      return at;
    },
    lostCounted: true,
    peakFill: undefined,
    close() {
      closed = true;
    },
  } as unknown as EventReader;
}

/** Whether a recording exists beside the notebook at all (any program's). */
export function hasRecording(): boolean {
  return existsSync(join(captureDir(), INDEX));
}

/** The program bound from a recorded run of this cell, or a CellError saying why there is none. */
export async function replayProgram(spec: BlockSpec, block: MagicBlock): Promise<{ program: Program; note: string }> {
  const dir = captureDir();
  const manifest = readManifest(dir);
  if (!manifest)
    throw new CellError("NoCapture", `${spec.name}: nothing to replay: ${dir} holds no capture (index.json)`, [
      `NoCapture: ${spec.name}: nothing to replay: ${dir} holds no capture (index.json)`,
      "Record one by running the notebook with BPF and %capture on, or name the folder: %replay on DIR (%replay off to run live).",
    ]);
  const run = pickRun(manifest.runs, spec, block);
  if (!run) {
    const names = [...new Set(manifest.runs.map((r) => r.program))].join(", ") || "(none)";
    throw new CellError("NoCapture", `${spec.name} was never captured in ${dir} (it holds ${names})`);
  }
  await parquetReady();
  const note: CaptureNote = { dir: shown(dir), replayed: true };
  const reads = (map: string, kind: CaptureFile["kind"]) => run.captures.filter((c) => c.map === map && c.kind === kind).sort((a, b) => a.seq - b.seq);
  const maps = new Map<string, BpfMap>();
  const mapOf = (name: string): BpfMap => {
    let m = maps.get(name);
    if (m) return m;
    const shape = run.maps.find((s) => s.name === name);
    if (!shape) throw new Error(`${spec.name} has no map '${name}'`);
    const files = reads(name, "read");
    let next = 0;
    let current: Read | undefined;
    const readAt = (c: CaptureFile): Read => {
      const t = load(dir, c);
      note.file = c.file;
      note.at = c.at;
      return { keys: rawBytes(t, "key_bytes"), values: rawBytes(t, "value_bytes"), count: t.numRows };
    };
    // A watch's frames pair with the recorded watch's frames: the replayed
    // watch ends when they are used up, and a read after it skips any left.
    let watchOf: { replayed: number; recorded?: number; drawn: number } | undefined;
    const skipLeft = () => {
      while (watchOf?.recorded !== undefined && next < files.length && files[next].watch === watchOf.recorded) next++;
      watchOf = undefined;
    };
    const source = () => {
      if (!files.length) throw neverRead(spec.name, name, "read", dir);
      const w = watchNow();
      if (w !== undefined) {
        if (watchOf?.replayed !== w) {
          skipLeft();
          watchOf = { replayed: w, recorded: files[next]?.watch, drawn: 0 };
        }
        const rec = watchOf.recorded;
        if (rec !== undefined && watchOf.drawn > 0 && files[next]?.watch !== rec) throw new ReplayEnded();
        watchOf.drawn++;
      } else skipLeft();
      current = readAt(files[Math.min(next, files.length - 1)]);
      next++;
      return current;
    };
    m = new FrozenMap(shape, source, "it is replayed from a capture", () => current ?? source());
    maps.set(name, m);
    return m;
  };
  const module = {
    functions: run.functions.map((f) => f.fn),
    mapNames: run.maps.map((m) => m.name),
    diagnostics: [],
    log: "",
    license: "",
    map: mapOf,
    close() {},
    settled: Promise.resolve(),
  } as unknown as Module;
  const functions = new Map(run.functions.map((f) => [f.fn, { name: f.fn, type: f.type, id: f.id, tag: f.tag, close() {} } as unknown as NativeProgram]));
  const attached = run.attached.map((a) => ({ ...a, attachment: { close() {} } }) as unknown as AttachedHook);
  const codecs = new Map<string, Codec<unknown>>();
  for (const [name, c] of Object.entries(run.eventCodecs)) codecs.set(name, compileCodec(c.desc, c.size));
  const streams = new Map<string, number>();
  const open = (map: BpfMap, cb: EventCallback): EventReader => {
    const files = reads(map.name, "events");
    const n = streams.get(map.name) ?? 0;
    streams.set(map.name, n + 1);
    if (!files.length) throw neverRead(spec.name, map.name, "event stream", dir);
    const c = files[Math.min(n, files.length - 1)];
    note.file = c.file;
    note.at = c.at;
    return replayReader(dir, c, run.eventCodecs[map.name].size, cb);
  };
  const api = { openPerfBuffer: open, openRingBuffer: open } as unknown as NativeApi;
  const program = new Program(spec.name, spec, module, functions, attached, codecs, api);
  Object.assign(program.origin, { attachedAt: new Date(run.attachedAt) });
  noteFor(program.origin, note);
  const text =
    `${spec.name}: replayed from capture ${join(dir, "index.json")} (run ${run.run}), recorded on kernel ${run.kernelRelease} ` +
    `(libbcc ${run.libbccVersion}) at ${run.attachedAt}: maps and events come from the capture; nothing was compiled or attached\n`;
  return { program, note: text };
}

/** Forgets which recorded runs were bound (a new folder, a restart of the replay). */
export function resetReplay(): void {
  bound.clear();
}
