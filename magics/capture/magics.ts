/**
 * `%capture on [DIR] [--max-rows N] [--sample N] | off | status` and
 * `%replay on [DIR] | off | auto`: recording what cells read beside the
 * notebook, and replaying it where BPF cannot run.
 */
import { CellError, type LineMagic } from "../../kernel/plugin.js";
import { readManifest } from "./manifest.js";
import { bpfAvailable, captureDir, mode, replaying } from "./mode.js";
import { closeManifest } from "./record.js";
import { resetReplay } from "./replay.js";
import { dropStaging, flush, writesInFlight } from "./writer.js";

export const CAPTURE_USAGE = [
  "%capture on [DIR] [--max-rows N] [--sample N]   record what %%bpf programs run from now on read",
  "%capture off                                     stop, and wait until every file is written",
  "%capture                                         where captures go and what is there",
  "  DIR defaults to NOTEBOOK.captures beside the notebook (captures without a notebook name).",
  "  Each map read (a table, a histogram, a watch frame, snapshot()) and each event stream is one",
  "  Parquet file; index.json lists them by program. --max-rows cuts a read or stream (default",
  "  2000000) and says so; --sample N keeps 1 event in N.",
].join("\n");

function parse(args: string): { words: string[]; flags: Map<string, string> } {
  const words: string[] = [];
  const flags = new Map<string, string>();
  const parts = args.trim().split(/\s+/).filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    if (parts[i].startsWith("--")) {
      const [k, v] = parts[i].split("=", 2);
      flags.set(k, v ?? parts[++i] ?? "");
    } else words.push(parts[i]);
  }
  return { words, flags };
}

function count(flags: Map<string, string>, name: string): number | undefined {
  const v = flags.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new CellError("UsageError", `${name} takes a whole number above 0, not "${v}"`);
  return n;
}

function status(): string {
  const dir = captureDir();
  let held = "nothing yet";
  try {
    const m = readManifest(dir);
    if (m) {
      const files = m.runs.reduce((n, r) => n + r.captures.length, 0);
      held = `${m.runs.length} recorded run${m.runs.length === 1 ? "" : "s"} (${[...new Set(m.runs.map((r) => r.program))].join(", ")}), ${files} file${files === 1 ? "" : "s"}`;
    }
  } catch (e) {
    held = (e as Error).message;
  }
  const doing = replaying() ? "replaying" : mode.capturing ? "capturing" : "not capturing";
  return `${doing}; folder ${dir}: ${held}`;
}

export const captureMagic: LineMagic = {
  kind: "line",
  name: "capture",
  help: "Record what %%bpf programs read beside the notebook (Parquet), for replay without BPF: %capture on [DIR] | off",
  async run(args, ctx) {
    const { words, flags } = parse(args);
    const [what, dir, extra] = words;
    if (flags.has("--help") || extra !== undefined || (what !== undefined && what !== "on" && what !== "off"))
      throw new CellError("UsageError", "usage: %capture on [DIR] [--max-rows N] [--sample N] | off", [CAPTURE_USAGE]);
    if (what === "on") {
      if (dir !== undefined && dir !== mode.dir) {
        mode.dir = dir;
        closeManifest();
        resetReplay();
      }
      mode.maxRows = count(flags, "--max-rows") ?? mode.maxRows;
      mode.sample = count(flags, "--sample") ?? mode.sample;
      if (replaying()) {
        ctx.stream("stdout", `replaying from ${captureDir()}${bpfAvailable() ? " (%replay on)" : " (this kernel cannot run BPF)"}: nothing is recorded\n`);
        return undefined;
      }
      mode.capturing = true;
      ctx.stream("stdout", `capturing what %%bpf programs read from now on into ${captureDir()}\n`);
      return undefined;
    }
    if (what === "off") {
      mode.capturing = false;
      const n = writesInFlight();
      await flush();
      dropStaging();
      ctx.stream("stdout", `capture off${n ? ` (${n} file${n === 1 ? "" : "s"} finished writing)` : ""}; ${status()}\n`);
      return undefined;
    }
    ctx.stream("stdout", status() + "\n");
    return undefined;
  },
};

export const replayMagic: LineMagic = {
  kind: "line",
  name: "replay",
  help: "Bind %%bpf cells to a capture instead of the kernel: %replay on [DIR] | off | auto (auto: when BPF is unavailable)",
  run(args, ctx) {
    const { words } = parse(args);
    const [what, dir, extra] = words;
    if (extra !== undefined || (what !== undefined && !["on", "off", "auto"].includes(what)))
      throw new CellError("UsageError", "usage: %replay on [DIR] | off | auto");
    if (what) mode.replay = what as typeof mode.replay;
    if (dir !== undefined) mode.dir = dir;
    resetReplay();
    if (replaying()) mode.capturing = false;
    ctx.stream("stdout", `replay ${mode.replay}${mode.replay === "auto" ? ` (BPF ${bpfAvailable() ? "available: live" : "unavailable: replaying"})` : ""}; ${status()}\n`);
    return undefined;
  },
};
