/** `%maps [NAME]`: the maps of the session's programs: name, type, key and value types, size. */
import { records } from "../../kernel/display/info.js";
import { CellError, type LineMagic } from "../../kernel/plugin.js";
import { byName, livePrograms } from "../programs.js";
import { displayable } from "../watch.js";

export const maps: LineMagic = {
  kind: "line",
  name: "maps",
  help: "The maps of this session's BPF programs: type, key and value types, entries: %maps [NAME]",
  run(args) {
    const name = args.trim();
    const progs = name ? [byName(name)].filter((p) => p !== undefined) : livePrograms();
    if (name && progs.length === 0) throw new CellError("NotFound", `no program named ${name}`);
    const rows = progs.flatMap((p) =>
      p.mapInfo().map((m) => {
        let entries: number | string = "-";
        if (!["perf_event_array", "ringbuf", "stack_trace"].includes(m.type)) {
          try {
            entries = p.table(m.name).size;
          } catch {
            entries = "?";
          }
        }
        return { program: p.name, map: m.name, type: m.type, key: m.key, value: m.value, entries, maxEntries: m.maxEntries };
      }),
    );
    return displayable(records(rows, { title: "maps", empty: "(no programs loaded in this session)" }));
  },
};
