/**
 * `%bps [ID] | --stats on|off`: every BPF program on the machine, as BCC's bps
 * lists them, with tag, run count and run time; this kernel's own marked with
 * their NAME. Or one program's details.
 *
 * Run counts and times are the kernel's (bpf_prog_info run_cnt, run_time_ns),
 * which grow only while BPF statistics are on. The first %bps turns them on
 * the proper way, with a BPF_ENABLE_STATS fd this kernel process holds (a
 * reference that ends with the process, never a sysctl left behind), and the
 * output always says whether they are on, since when, and who holds them.
 */
import {
  averageRunNs,
  disableStats,
  enableStats,
  listMaps,
  listPrograms,
  program as programById,
  statsState,
  type ProgramInfo,
} from "../../native/introspect.js";
import { records, keyValueList } from "../../kernel/display/info.js";
import { escapeHtml } from "../../kernel/display/html.js";
import { CellError, type DisplayData, type LineMagic } from "../../kernel/plugin.js";
import { livePrograms } from "../programs.js";
import { displayable } from "../watch.js";

function ownerOf(id: number): string {
  for (const p of livePrograms()) if (p.ids.includes(id)) return p.name;
  return "";
}

/** This kernel's BPF_ENABLE_STATS fd, and when it was taken. */
let held: { fd: number; since: Date } | undefined;
/** Why the last attempt to turn statistics on failed. */
let failure: string | undefined;
/** `%bps --stats off` was run: the listing no longer turns statistics on by itself. */
let userTurnedOff = false;

function turnOn(): boolean {
  if (held) return false;
  try {
    held = { fd: enableStats(), since: new Date() };
    failure = undefined;
    return true;
  } catch (e) {
    failure = e instanceof Error ? e.message : String(e);
    return false;
  }
}

function turnOff(): void {
  if (held) disableStats(held.fd);
  held = undefined;
}

const clock = (d: Date) => d.toTimeString().slice(0, 8);

/** One line saying whether run count and run time are being counted. */
export function statsLine(justTurnedOn = false): string {
  const s = statsState();
  const others = s.holders.filter((h) => h.pid !== process.pid).map((h) => `${h.comm} (pid ${h.pid})`);
  const why = [
    held ? `this kernel holds BPF_ENABLE_STATS since ${clock(held.since)}` : "",
    s.sysctl ? "kernel.bpf_stats_enabled=1" : "",
    others.length ? `BPF_ENABLE_STATS held by ${others.join(", ")}` : "",
  ].filter(Boolean);
  if (justTurnedOn)
    return `BPF statistics: on from now: this %bps turned them on (BPF_ENABLE_STATS, held by this kernel until it exits or %bps --stats off). Run count and run time count runs from now on only: run %bps again to see them grow.`;
  if (s.on) return `BPF statistics: on (${why.join("; ")}). Run count and run time count only runs while statistics are on.`;
  const reason = failure
    ? `turning them on failed: ${failure}`
    : userTurnedOff
      ? "turned off by %bps --stats off"
      : "kernel.bpf_stats_enabled=0 and no process holds BPF_ENABLE_STATS";
  return `BPF statistics: off (${reason}). Run count and run time do not grow while statistics are off; %bps --stats on turns them on.`;
}

function withNote(d: DisplayData, note: string): DisplayData {
  const html = String(d.data["text/html"] ?? "");
  const text = String(d.data["text/plain"] ?? "");
  return {
    ...d,
    data: { ...d.data, "text/html": `${html}\n<p class="ibcc-note">${escapeHtml(note)}</p>`, "text/plain": `${text}\n${note}` },
  };
}

/** "0", "812 µs", "3.41 ms", "1.20 s": a total run time. */
export function formatDuration(ns: number): string {
  if (ns === 0) return "0";
  if (ns < 1e3) return `${ns} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(ns < 1e4 ? 2 : ns < 1e5 ? 1 : 0)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(ns < 1e7 ? 2 : ns < 1e8 ? 1 : 0)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

function average(p: ProgramInfo): string {
  const avg = averageRunNs(p);
  return avg === undefined ? "-" : `${Math.round(avg)}`;
}

export const bps: LineMagic = {
  kind: "line",
  name: "bps",
  help:
    "List every BPF program on this machine with tag, run count and run time (ours marked with their NAME; the first %bps turns BPF statistics on), " +
    "or one program's details: %bps [ID] | %bps --stats on|off",
  run(args) {
    const arg = args.trim();
    const stats = /^--stats(?:\s+|=)(\S+)$/.exec(arg);
    if (stats || arg === "--stats") {
      const want = stats?.[1];
      if (want !== "on" && want !== "off") throw new CellError("UsageError", `%bps --stats takes on or off, not '${want ?? ""}'`);
      if (want === "off") {
        turnOff();
        userTurnedOff = true;
      } else {
        userTurnedOff = false;
        turnOn();
      }
      const line = statsLine();
      return displayable({ data: { "text/plain": line, "text/html": `<p class="ibcc-note">${escapeHtml(line)}</p>` }, metadata: {} });
    }
    // The first listing turns statistics on; counting starts then, unless
    // someone else (the sysctl, another holder) had them on already.
    let justTurnedOn = false;
    if (!userTurnedOff && !held && failure === undefined) {
      const before = statsState().on;
      justTurnedOn = turnOn() && !before;
    }
    if (arg) {
      if (!/^\d+$/.test(arg)) throw new CellError("UsageError", `%bps takes a program id or --stats on|off, not '${arg}'`);
      const p = programById(Number(arg));
      if (!p) throw new CellError("NotFound", `no BPF program with id ${arg}`);
      const maps = listMaps().filter((m) => p.mapIds.includes(m.id));
      const details = keyValueList(
        {
          id: p.id,
          name: p.name,
          type: p.type,
          tag: p.tag,
          "ibcc program": ownerOf(p.id) || "-",
          loaded: p.loadTime.toISOString(),
          uid: p.uid,
          "verified insns": p.verifiedInsns,
          "jited bytes": p.jitedSize,
          "xlated bytes": p.xlatedSize,
          memlock: p.memlock,
          maps: maps.map((m) => `${m.id} ${m.name} (${m.type})`).join(", ") || "-",
          "run count": p.runCount,
          "run time": formatDuration(p.runTimeNs),
          "ns per run": average(p),
        },
        { title: `BPF program ${p.id}` },
      );
      return displayable(withNote(details, statsLine(justTurnedOn)));
    }
    const rows = listPrograms().map((p) => ({
      id: p.id,
      type: p.type,
      name: p.name,
      tag: p.tag,
      "this kernel": ownerOf(p.id),
      "run count": p.runCount,
      "run time": formatDuration(p.runTimeNs),
      "ns/run": average(p),
      maps: p.mapIds.length,
      loaded: p.loadTime.toISOString().replace("T", " ").slice(0, 19),
      insns: p.verifiedInsns,
    }));
    const ours = rows.filter((r) => r["this kernel"]).length;
    const table = records(rows, {
      title: `${rows.length} BPF programs loaded, ${ours} of them this kernel's (named in "this kernel")`,
      empty: "(no BPF programs loaded)",
    });
    return displayable(withNote(table, statsLine(justTurnedOn)));
  },
};
