/**
 * `%probes [PATTERN] [-v] [--limit N]`: what this kernel can be traced at, as
 * `bpftrace -l` / BCC's tplist list it: tracepoints with their argument
 * formats, raw tracepoints, kfuncs, and the uprobe symbols and USDT probes of
 * a binary or process.
 */
import { records } from "../../kernel/display/info.js";
import { CellError, type LineMagic } from "../../kernel/plugin.js";
import { TargetError } from "../probes/binary-path.js";
import { ElfError } from "../probes/elf.js";
import { listProbes } from "../probes/list.js";
import { PatternError } from "../probes/pattern.js";
import { HeaderSyntaxError, tokenize } from "../spec/tokenize.js";
import { displayable } from "../watch.js";

const DEFAULT_LIMIT = 1000;

export const PROBES_USAGE = [
  "%probes [PATTERN] [-v] [--limit N]",
  "  Lists what can be traced here. PATTERN is TYPE:REST with wildcards (* ? [abc]), or a bare word",
  "  matched anywhere in the probe's name:",
  "    %probes tracepoint:sched:*      %probes *block*      %probes rawtracepoint:sched_*",
  "    %probes kfunc:vfs_*             %probes uprobe:/usr/bin/python3.11:*Py*",
  "    %probes usdt:/usr/bin/python3.11      %probes usdt:PID      %probes usdt:BINARY:PROVIDER:NAME",
  "  Types: tracepoint (t), rawtracepoint (rt), kfunc (fentry), uprobe (u), usdt (U).",
  "  -v shows the arguments: tracepoint fields (args->NAME), raw tracepoint and kfunc parameters.",
  `  --limit N shows the first N rows (default ${DEFAULT_LIMIT}); --limit 0 shows all.`,
].join("\n");

function options(args: string): { pattern: string; verbose: boolean; limit: number } {
  let pattern = "";
  let verbose = false;
  let limit = DEFAULT_LIMIT;
  let words: string[];
  try {
    words = tokenize(args);
  } catch (e) {
    if (e instanceof HeaderSyntaxError) throw new CellError("UsageError", `%probes: ${e.message}`);
    throw e;
  }
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === "-v" || w === "--verbose") verbose = true;
    else if (w === "--limit" || w.startsWith("--limit=")) {
      const v = w.includes("=") ? w.slice(8) : words[++i];
      if (v === undefined || !/^\d+$/.test(v)) throw new CellError("UsageError", `%probes --limit takes a number of rows, not '${v ?? ""}'`);
      limit = Number(v);
    } else if (w.startsWith("-") && w.length > 1) throw new CellError("UsageError", `%probes: unknown option '${w}'`, [`%probes: unknown option '${w}'`, "", PROBES_USAGE]);
    else if (pattern) throw new CellError("UsageError", `%probes takes one pattern, not '${pattern}' and '${w}'`);
    else pattern = w;
  }
  return { pattern, verbose, limit };
}

export const probes: LineMagic = {
  kind: "line",
  name: "probes",
  help: "List tracepoints (with -v their fields), raw tracepoints, kfuncs, uprobe symbols, USDT probes: %probes [PATTERN] [-v]",
  async run(args, ctx) {
    if (/(^|\s)(--help|-h)(\s|$)/.test(args)) {
      ctx.stream("stdout", PROBES_USAGE + "\n");
      return undefined;
    }
    const { pattern, verbose, limit } = options(args);
    let listing;
    try {
      listing = await listProbes(pattern, verbose);
    } catch (e) {
      if (e instanceof PatternError || e instanceof TargetError || e instanceof ElfError) throw new CellError(e.name, e.message);
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EACCES" || code === "ENOENT" || code === "EISDIR") throw new CellError("TargetError", (e as Error).message);
      throw e;
    }
    const { rows, notes } = listing;
    const byType = new Map<string, number>();
    for (const r of rows) byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
    const counts = [...byType].map(([t, n]) => `${n.toLocaleString("en-US")} ${t}`).join(", ");
    const shown = limit > 0 && rows.length > limit ? rows.slice(0, limit) : rows;
    const title =
      `${rows.length.toLocaleString("en-US")} probes${pattern ? ` match ${pattern}` : ""}${counts ? ` (${counts})` : ""}` +
      (shown.length < rows.length ? `; the first ${shown.length} shown (--limit N, --limit 0 for all)` : "");
    for (const n of notes) ctx.stream("stderr", n + "\n");
    const optional = ["address", "semaphore", "args", "note"] as const;
    const columns = ["probe", ...optional.filter((c) => shown.some((r) => r[c] !== undefined))];
    return displayable(
      records(
        shown.map(({ type: _type, ...r }) => r),
        { title, columns, empty: `(no probe matches ${pattern || "anything"})` },
      ),
    );
  },
};
