/** `%bps [ID]`: every BPF program on the machine, as BCC's bps lists them; ours marked. */
import { listPrograms, program as programById, listMaps } from "../../native/introspect.js";
import { records, keyValueList } from "../../kernel/display/info.js";
import { CellError, type LineMagic } from "../../kernel/plugin.js";
import { livePrograms } from "../programs.js";
import { displayable } from "../watch.js";

function ownerOf(id: number): string {
  for (const p of livePrograms()) if (p.ids.includes(id)) return p.name;
  return "";
}

export const bps: LineMagic = {
  kind: "line",
  name: "bps",
  help: "List every BPF program on this machine (ours marked with their NAME), or one program's details: %bps [ID]",
  run(args) {
    const arg = args.trim();
    if (arg) {
      if (!/^\d+$/.test(arg)) throw new CellError("UsageError", `%bps takes a program id, not '${arg}'`);
      const p = programById(Number(arg));
      if (!p) throw new CellError("NotFound", `no BPF program with id ${arg}`);
      const maps = listMaps().filter((m) => p.mapIds.includes(m.id));
      return displayable(
        keyValueList(
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
            "run count": p.runCount ?? "(kernel.bpf_stats_enabled=0)",
          },
          { title: `BPF program ${p.id}` },
        ),
      );
    }
    const rows = listPrograms().map((p) => ({
      id: p.id,
      type: p.type,
      name: p.name,
      ibcc: ownerOf(p.id),
      maps: p.mapIds.length,
      loaded: p.loadTime.toISOString().replace("T", " ").slice(0, 19),
      insns: p.verifiedInsns,
    }));
    return displayable(records(rows, { title: `${rows.length} BPF programs loaded`, empty: "(no BPF programs loaded)" }));
  },
};
