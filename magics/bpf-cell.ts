/**
 * The `%%bpf [NAME] [options]` cell magic: compile the block, load and attach
 * its functions, and bind the program to NAME. A failed block leaves the
 * earlier program of that NAME as it was; a good one replaces it.
 */
import { CellError, type CellMagic, type MagicBlock, type MagicContext } from "../kernel/plugin.js";
import { blockSpec } from "./spec/block.js";
import { HEADER_OPTIONS, HeaderSyntaxError } from "./spec/header.js";
import { headersNote } from "./headers-check.js";
import { loadProgram } from "./load.js";
import { checkBpfPrivileges } from "./privileges.js";
import { bind, byName } from "./programs.js";
import { setCurrentIO } from "./session.js";
import { programTypeText } from "./type-text.js";
import { completeInBlock, inspectInBlock } from "./helpers-doc.js";
import { completeHeader } from "./probes/complete.js";
import { replaying, mode as captureMode } from "./capture/mode.js";
import { hasRecording, replayProgram } from "./capture/replay.js";
import { recordProgram } from "./capture/record.js";
import { nativeApi } from "./native-api.js";

let warnedAboutHeaders = false;

export const BPF_CELL_HELP =
  "Compile the BCC C below, attach it by naming convention and options, bind it to NAME (default bpf): %%bpf [NAME] [options]";

/** The long help: options and the BTF forms. */
export const BPF_CELL_USAGE = [
  "%%bpf [NAME] [options]",
  "  Compiles the block's BCC C, loads and attaches its functions, binds the program to NAME.",
  "  Attached by name: TRACEPOINT_PROBE, RAW_TRACEPOINT_PROBE, kprobe__X, kretprobe__X,",
  "  tracepoint__CAT__EV, KFUNC_PROBE, KRETFUNC_PROBE, LSM_PROBE. Options:",
  ...Object.entries(HEADER_OPTIONS).map(([o, v]) => `    ${o} ${v}`),
  "  --xdp-mode: skb is generic XDP (any device), drv the driver's native hook, hw offloaded to the NIC;",
  "  without it the kernel uses drv where the driver has one, else skb. The summary names the mode asked for.",
  "  --usdt probes: bpf_usdt_readarg(N, ctx, &v) / bpf_usdt_readarg_p(N, ctx, buf, size) read argument N (from 1);",
  "    by PID the probes' semaphores are raised in that process, by BINARY in every process running it.",
  "  Kernel struct fields at the running kernel's BTF offsets (right even with other headers):",
  "    BTF_READ(ptr, task_struct, tgid)   BTF_READ_INTO(dst, ptr, task_struct, comm)",
  "    BTF_OFFSET(task_struct, pid)       BTF_SIZE(task_struct, comm)   paths: a, a.b, a->b, a[3]",
  "  In TypeScript: NAME.maps.<map> / NAME.table(\"map\") (get, set, delete, clear, entries(), size,",
  "  histogram(), watch()), NAME.events(\"map\") (for await), NAME.stacks(), NAME.tracePrint(), NAME.close().",
  "  From TypeScript text: const p = await BPF.load({ text, cflags, attach, name }).",
].join("\n");

export async function runBpfBlock(block: MagicBlock, ctx: MagicContext): Promise<unknown> {
  setCurrentIO(ctx);
  if (/(^|\s)(--help|-h)(\s|$)/.test(block.args)) {
    ctx.stream("stdout", BPF_CELL_USAGE + "\n");
    return undefined;
  }
  let spec;
  try {
    spec = blockSpec(block.args, block.body, block.headerLine);
  } catch (e) {
    if (e instanceof HeaderSyntaxError) throw new CellError("UsageError", e.message, [e.message, "", BPF_CELL_USAGE]);
    throw e;
  }
  if (replaying()) {
    let replayed;
    try {
      replayed = await replayProgram(spec, block);
    } catch (e) {
      // Auto mode replays because BPF is unavailable: with nothing recorded at
      // all, what the process lacks is the news, and the missing capture a
      // footnote. A recording that lacks this one program is the news itself.
      if (captureMode.replay === "auto" && e instanceof CellError && e.ename === "NoCapture" && !hasRecording()) {
        try {
          checkBpfPrivileges();
        } catch (p) {
          if (p instanceof CellError) throw new CellError(p.ename, p.evalue, [...p.traceback, `Nor is there a recording to replay instead: ${e.evalue}.`]);
        }
      }
      throw e;
    }
    const { program, note } = replayed;
    ctx.stream("stdout", note);
    bind(spec.name, program);
    ctx.setGlobal(spec.name, program, programTypeText(program));
    return program;
  }
  checkBpfPrivileges();
  if (!warnedAboutHeaders) {
    warnedAboutHeaders = true;
    const note = headersNote();
    if (note) await ctx.display(note);
  }
  // The same text again (the usual "run the cell once more"): keep the compiled
  // and attached programs, empty the maps. Text that includes local files may
  // differ while reading the same, so it always compiles afresh.
  const source = JSON.stringify([block.args.trim(), block.body]);
  const earlier = byName(spec.name);
  // A capture records each run apart, so a recorded cell compiles afresh.
  if (!captureMode.capturing && earlier && earlier.source === source && earlier.renewable && !/#\s*include\s*"/.test(spec.code)) {
    const renewed = earlier.renew();
    bind(spec.name, renewed);
    ctx.setGlobal(spec.name, renewed, programTypeText(renewed));
    return renewed;
  }
  const program = recordProgram(await loadProgram(spec), block, await nativeApi());
  program.source = source;
  bind(spec.name, program);
  ctx.setGlobal(spec.name, program, programTypeText(program));
  return program;
}

export const bpfCell: CellMagic = {
  kind: "cell",
  name: "bpf",
  help: BPF_CELL_HELP,
  run: runBpfBlock,
  complete: completeInBlock,
  completeHeader,
  inspect: (body, cursor) => inspectInBlock(body, cursor),
};
