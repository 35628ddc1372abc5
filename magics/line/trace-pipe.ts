/** `%trace_pipe [--for SECONDS]`: bpf_trace_printk output streamed into the cell until interrupted. */
import { CellError, type LineMagic } from "../../kernel/plugin.js";
import { tracePipe } from "../trace-pipe.js";

export const tracePipeMagic: LineMagic = {
  kind: "line",
  name: "trace_pipe",
  help: "Stream bpf_trace_printk output printed from now on (trace_pipe, shared by the whole machine) until interrupted or time is up: %trace_pipe [--for SECONDS]",
  async run(args, ctx) {
    const m = /^\s*(?:--for(?:=|\s+)(\d+(?:\.\d+)?))?\s*$/.exec(args);
    if (!m) throw new CellError("UsageError", `%trace_pipe takes only --for SECONDS, not '${args.trim()}'`);
    await tracePipe({ io: ctx, for: m[1] !== undefined ? Number(m[1]) * 1000 : undefined });
    return undefined;
  },
};
