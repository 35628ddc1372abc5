/**
 * The probes a pattern names, as rows: tracepoints from tracefs, raw
 * tracepoints and kfuncs from BTF, uprobe symbols and USDT notes from ELF
 * files; with `verbose`, each one's arguments.
 */
import { probeFeatures } from "../../native/features.js";
import { listUsdt } from "../usdt/list.js";
import { btfUnavailable, kfuncArgs, kfuncNames, rawTracepointArgs, rawTracepointNames, type BtfArg } from "./btf-funcs.js";
import { resolveBinary } from "./binary-path.js";
import { withElf } from "./elf.js";
import { parsePattern, type ProbeType } from "./pattern.js";
import { declaration, tracefsRoot, tracepointFields, tracepoints } from "./tracefs.js";

export interface ProbeRow {
  probe: string;
  type: ProbeType;
  args?: string;
  address?: string;
  semaphore?: string;
  note?: string;
}

export interface ProbeListing {
  rows: ProbeRow[];
  /** Facts that explain a short or marked list: no tracefs, no BTF, kfuncs refused. */
  notes: string[];
}

const hex = (n: bigint) => `0x${n.toString(16)}`;
const btfArgs = (a: BtfArg[] | undefined) => (a ? a.map((x) => (x.type === "..." ? "..." : `${x.type}${x.type.endsWith("*") ? "" : " "}${x.name}`)).join("; ") : "");

/** Whether fentry attaches here; probing it loads a tiny program once per process. */
function kfuncRefusal(): string | undefined {
  try {
    const f = probeFeatures().attach.fentry;
    return f.supported ? undefined : f.reason ?? "fentry is refused";
  } catch (e) {
    return `fentry could not be probed: ${(e as Error).message}`;
  }
}

export async function listProbes(pattern: string, verbose: boolean): Promise<ProbeListing> {
  const q = parsePattern(pattern);
  const rows: ProbeRow[] = [];
  const notes: string[] = [];
  if (q.kind === "uprobe") {
    const binary = resolveBinary(q.target);
    const syms = withElf(binary, (elf) => elf.functions()).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const s of syms) if (q.match(s.name)) rows.push({ probe: `uprobe:${binary}:${s.name}`, type: "uprobe", address: hex(s.address) });
    if (syms.length === 0) notes.push(`${binary} has no function symbols (stripped of both .symtab and .dynsym)`);
    return { rows, notes };
  }
  if (q.kind === "usdt") {
    const probes = await listUsdt(q.target);
    for (const p of probes) {
      if (!q.match(`${p.provider}:${p.name}`)) continue;
      rows.push({
        probe: `usdt:${p.binary}:${p.provider}:${p.name}`,
        type: "usdt",
        address: hex(p.address),
        semaphore: p.semaphore ? hex(p.semaphore) : "",
        args: p.args.join(" "),
      });
    }
    if (probes.length === 0) notes.push(`${q.target} has no USDT probes (no .note.stapsdt notes)`);
    return { rows, notes };
  }
  if (q.types.includes("tracepoint")) {
    if (!tracefsRoot()) notes.push("tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing): no tracepoints listed");
    for (const t of tracepoints()) {
      const probe = `tracepoint:${t.category}:${t.event}`;
      if (!q.match(probe)) continue;
      const row: ProbeRow = { probe, type: "tracepoint" };
      if (verbose) row.args = (tracepointFields(t.category, t.event) ?? []).map(declaration).join("; ");
      rows.push(row);
    }
  }
  const wantRaw = q.types.includes("rawtracepoint");
  const wantKfunc = q.types.includes("kfunc");
  if ((wantRaw || wantKfunc) && btfUnavailable()) notes.push(`${btfUnavailable()}: no raw tracepoints or kfuncs listed`);
  if (wantRaw) {
    for (const name of [...rawTracepointNames()].sort()) {
      const probe = `rawtracepoint:${name}`;
      if (!q.match(probe)) continue;
      rows.push(verbose ? { probe, type: "rawtracepoint", args: btfArgs(rawTracepointArgs(name)) } : { probe, type: "rawtracepoint" });
    }
  }
  if (wantKfunc) {
    const matched = kfuncNames().filter((n) => q.match(`kfunc:${n}`));
    if (matched.length) {
      const refused = kfuncRefusal();
      const note = refused ? "not attachable on this kernel" : undefined;
      if (refused) notes.push(`kfuncs are not attachable on this kernel: ${refused}`);
      for (const name of [...new Set(matched)].sort()) {
        const row: ProbeRow = { probe: `kfunc:${name}`, type: "kfunc" };
        if (verbose) row.args = btfArgs(kfuncArgs(name));
        if (note) row.note = note;
        rows.push(row);
      }
    }
  }
  return { rows, notes };
}
