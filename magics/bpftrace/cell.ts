/**
 * The `%%bpftrace [NAME] [options]` cell magic: run the block with Debian's
 * bpftrace (`-f json`) and bind it to NAME (default `bt`). In the foreground
 * (the default) the cell runs until the program calls exit(), `--for SECONDS`
 * pass, or the cell is interrupted; bpftrace then prints its maps as on
 * Ctrl-C, and the cell shows them as tables and histograms. With
 * `--background` the cell returns once the probes are attached.
 */
import { CellError, type CellIO, type MagicBlock, type MagicContext, type CellMagic } from "../../kernel/plugin.js";
import { currentIO, setCurrentIO } from "../session.js";
import { bpftraceFailure, renumber, type BlockPlace } from "./diagnostics.js";
import { LiveLines } from "./live.js";
import { bpftraceMissing, findExecutable } from "./run.js";
import { bindRun, endNamed, track } from "./runs.js";
import { BpftraceRun } from "./trace.js";
import { detach } from "../programs.js";
import { DISPLAY } from "./maps.js";

export const BPFTRACE_CELL_HELP =
  "Run the bpftrace program below, show its maps as tables and histograms, bind it to NAME (default bt): %%bpftrace [NAME] [--for SECONDS] [--background]";

export const BPFTRACE_CELL_USAGE = [
  "%%bpftrace [NAME] [--for SECONDS] [--background] [--lines N]",
  "  Runs the block with bpftrace -f json and binds it to NAME (default bt). The cell runs until the",
  "  program calls exit(), --for SECONDS pass, or the cell is interrupted; bpftrace then prints its maps",
  "  (as on Ctrl-C) and the cell shows them: hist/lhist as histograms, the others as tables.",
  "  Printed lines (printf, time) show live, the latest N (--lines, default 20).",
  "  --background: return once the probes are attached; NAME.refresh() prints the maps now (SIGUSR1),",
  "  NAME.stop() ends it as Ctrl-C does and shows its final maps.",
  "  In TypeScript: NAME.maps.x / NAME.table(\"@x\") (entries(), get(), rows(), histogram()),",
  "  NAME.lines, for await (const line of NAME.events()), NAME.close().",
  "  Running a block of the same NAME again ends the earlier program first.",
].join("\n");

const DEFAULT_NAME = "bt";
/** How long bpftrace may take to print its maps after SIGINT before it is killed. */
const GRACE_MS = 5000;
const IDENT = /^[A-Za-z_$][\w$]*$/;

interface Args {
  name: string;
  forSeconds?: number;
  background: boolean;
  rows: number;
  help: boolean;
}

function usage(message: string): CellError {
  return new CellError("UsageError", message, [`UsageError: ${message}`, "", BPFTRACE_CELL_USAGE]);
}

export function parseArgs(text: string): Args {
  const args: Args = { name: DEFAULT_NAME, background: false, rows: 20, help: false };
  const words = text.split(/\s+/).filter(Boolean);
  let named = false;
  const number = (flag: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < min) throw usage(`${flag} needs a number of at least ${min}, not ${v ?? "nothing"}`);
    return n;
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === "--help" || w === "-h") args.help = true;
    else if (w === "--background" || w === "-b") args.background = true;
    else if (w === "--for") args.forSeconds = number(w, words[++i], 0.001);
    else if (w === "--lines") args.rows = Math.floor(number(w, words[++i], 0));
    else if (w.startsWith("-")) throw usage(`unknown option ${w}`);
    else if (!named && IDENT.test(w)) {
      args.name = w;
      named = true;
    } else throw usage(`NAME must be one TypeScript identifier, not ${JSON.stringify(w)}`);
  }
  return args;
}

/** Each map bpftrace printed, as one output each through `display`; the last one's bundle is returned. */
async function showMaps(run: BpftraceRun, display: (v: unknown) => Promise<unknown>): Promise<void> {
  for (const m of Object.values(run.maps)) await display(m);
}

function showWarnings(run: BpftraceRun, place: BlockPlace, io: Pick<CellIO, "stream">): void {
  const warnings = renumber(run.process.stderr, place).lines;
  if (warnings.length) io.stream("stderr", warnings.join("\n") + "\n");
}

export async function runBpftraceBlock(block: MagicBlock, ctx: MagicContext): Promise<unknown> {
  setCurrentIO(ctx);
  const args = parseArgs(block.args);
  if (args.help) {
    ctx.stream("stdout", BPFTRACE_CELL_USAGE + "\n");
    return undefined;
  }
  if (!findExecutable("bpftrace")) throw bpftraceMissing();
  if (block.body.trim() === "") throw usage("the %%bpftrace block is empty: write a bpftrace program below the header");
  const raw: Pick<CellIO, "display"> = currentIO() ?? ctx;
  const place: BlockPlace = { headerLine: block.headerLine, body: block.body };
  await endNamed(args.name);
  // NAME is one variable: a %%bpf program bound to it goes too, as a re-run of %%bpf NAME would.
  detach(args.name);
  const run = new BpftraceRun(args.name, block.body, () => {});
  place.inserted = run.marked?.inserted;
  track(run);
  const onEarlyAbort = () => void run.close();
  ctx.signal.addEventListener("abort", onEarlyAbort, { once: true });
  let attached: boolean;
  try {
    attached = await run.whenAttached();
    // Without the BEGIN marker, "attaching" comes before the attach: a probe that cannot be attached ends it right after.
    if (attached && args.background && !run.marked) await run.exitsWithin(500);
  } finally {
    ctx.signal.removeEventListener("abort", onEarlyAbort);
  }
  if (ctx.signal.aborted) return undefined;
  if (!attached || (run.exit && run.exit.code !== 0 && !run.exit.signal)) {
    const exit = await run.exited;
    throw bpftraceFailure(run.process.stderr, place, exit);
  }
  bindRun(args.name, run);
  ctx.setGlobal(args.name, run, "BpftraceRun");
  ctx.stream("stdout", `Attaching ${run.probes} probe${run.probes === 1 ? "" : "s"}...\n`);

  if (args.background) {
    if (args.forSeconds !== undefined) setTimeout(() => void run.process.stop(GRACE_MS), args.forSeconds * 1000).unref();
    ctx.stream("stdout", `${args.name} runs in the background: ${args.name}.refresh() shows its maps now, ${args.name}.stop() ends it and shows them.\n`);
    showWarnings(run, place, ctx);
    return undefined;
  }

  const live = new LiveLines(ctx, run, args.rows);
  const timer = args.forSeconds !== undefined ? setTimeout(() => void run.process.stop(GRACE_MS), args.forSeconds * 1000) : undefined;
  // Interrupted, the cell ends at once; bpftrace gets SIGINT and prints its maps,
  // which are shown under the cell before it reports the interrupt.
  const onAbort = () => {
    void run.process.stop(GRACE_MS);
    ctx.display({
      [DISPLAY]: async () => {
        await run.exited;
        await live.finish();
        showWarnings(run, place, ctx);
        const maps = Object.values(run.maps);
        const last = maps.pop();
        for (const m of maps) await raw.display(m);
        return last ? last[DISPLAY]() : { data: { "text/plain": run.summary() } };
      },
    }).catch(() => {
      // the cell's output is gone; the maps stay readable from NAME
    });
  };
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  let exit;
  try {
    exit = await run.exited;
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener("abort", onAbort);
  }
  if (ctx.signal.aborted) return undefined;
  await live.finish();
  if (exit.code !== 0 && exit.code !== null) throw bpftraceFailure(run.process.stderr, place, exit);
  showWarnings(run, place, ctx);
  if (exit.signal && exit.signal !== "SIGINT") ctx.stream("stderr", `bpftrace was killed by ${exit.signal}: its maps were not printed\n`);
  await showMaps(run, (v) => ctx.display(v));
  return undefined;
}

export const bpftraceCell: CellMagic = {
  kind: "cell",
  name: "bpftrace",
  help: BPFTRACE_CELL_HELP,
  run: runBpftraceBlock,
};
