/**
 * Whether this kernel records what cells read, replays it, or neither, and
 * where the capture folder is. The folder is named beside the notebook: a
 * kernel started for a notebook runs in the notebook's folder (Jupyter
 * servers and nbclient both start it there), and jupyter_server 2 also sets
 * JPY_SESSION_NAME to the notebook's path, whose name then names the folder
 * (NOTEBOOK.captures); without it the folder is "captures". `%capture on DIR`
 * names it outright, relative to the notebook's folder.
 */
import { readFileSync } from "node:fs";
import { basename, isAbsolute, relative, resolve } from "node:path";

export type ReplayMode = "on" | "off" | "auto";

export const mode = {
  capturing: false,
  /** The folder named by %capture on DIR or %replay on DIR; undefined: the default. */
  dir: undefined as string | undefined,
  replay: "auto" as ReplayMode,
  /** Rows kept of one read, events of one stream; beyond it the capture is cut and says so. */
  maxRows: 2_000_000,
  /** Keep 1 event in N. */
  sample: 1,
};

export function defaultDir(): string {
  const session = process.env.JPY_SESSION_NAME;
  const stem = session ? basename(session).replace(/\.ipynb$/i, "") : "";
  return resolve(stem ? `${stem}.captures` : "captures");
}

export const captureDir = (): string => resolve(mode.dir ?? defaultDir());

/** The folder as output metadata names it: relative to the notebook's folder when inside it. */
export function shown(dir: string): string {
  const r = relative(process.cwd(), dir);
  return r && !r.startsWith("..") && !isAbsolute(r) ? r : dir;
}

const CAP_SYS_ADMIN = 21;
const CAP_PERFMON = 38;
const CAP_BPF = 39;

/** Whether this process holds what loading and attaching tracing programs needs; asked once. */
let available: boolean | undefined;
export function bpfAvailable(): boolean {
  if (available !== undefined) return available;
  try {
    const m = /CapEff:\s+([0-9a-f]+)/.exec(readFileSync("/proc/self/status", "utf8"));
    const caps = m ? BigInt(`0x${m[1]}`) : undefined;
    const has = (bit: number) => caps !== undefined && ((caps >> BigInt(bit)) & 1n) === 1n;
    available = caps === undefined || has(CAP_SYS_ADMIN) || (has(CAP_BPF) && has(CAP_PERFMON));
  } catch {
    available = true;
  }
  return available;
}

/** Whether %%bpf cells replay now (auto: when this process cannot run BPF). */
export function replaying(): boolean {
  return mode.replay === "on" || (mode.replay === "auto" && !bpfAvailable());
}
