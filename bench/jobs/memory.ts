/** Job 5: resident memory of a front-end process as compiles pile up. */
import { runChild } from "../lib/child.js";
import { why } from "../lib/ibcc.js";
import { runBcc } from "../lib/python.js";
import type { Job, Row } from "../lib/row.js";

/** Resident memory after the last compile must stay under this, and flat. */
const TARGET_MB = 150;

export const job: Job = {
  name: "memory",
  async run(ctx) {
    const marks = ctx.quick ? [1, 10, 20] : [1, 50, 100];
    const arg = marks.join(",");
    ctx.log(`memory: BCC, ${arg} compiles`);
    const bcc = await runBcc("memory", { marks: arg }, 300_000);
    ctx.log(`memory: ibcc, ${arg} compiles`);
    let ib: Record<string, number> | undefined;
    let missing = "";
    try {
      ib = await runChild("memory", [arg], 300_000);
    } catch (e) {
      missing = "ibcc n/a: " + why(e);
    }
    // glibc gives each thread that mallocs its own arena and keeps what LLVM frees
    // in it; compiles run on libuv's pool, so the same run with one arena shows
    // how much of the growth is that.
    ctx.log(`memory: ibcc with MALLOC_ARENA_MAX=1`);
    let oneArena: Record<string, number> | undefined;
    // Half the compiles are enough to show whether it stays flat.
    const arenaMarks = marks.map((m) => Math.max(1, Math.round(m / 2)));
    if (ib) oneArena = await runChild("memory", [arenaMarks.join(",")], 300_000, { MALLOC_ARENA_MAX: "1" }).catch(() => undefined);
    const one = (v?: number) => (v === undefined ? undefined : [v]);
    const rows: Row[] = [
      { job: "RSS before any compile", unit: "MB", ibcc: one(ib?.baseline), bcc: [bcc.baseline], note: missing },
    ];
    for (const m of marks) {
      let note = missing;
      if (ib && m === marks[marks.length - 1]) {
        const last = ib[String(m)];
        const growth = last - ib[String(marks[1])];
        const ok = last < TARGET_MB && growth < 0.1 * last;
        note = `target < ${TARGET_MB} MB and flat: ${ok ? "met" : "MISSED"} (+${growth.toFixed(1)} MB since ${marks[1]})`;
      }
      rows.push({ job: `RSS after ${m} compile${m > 1 ? "s" : ""}`, unit: "MB", ibcc: one(ib?.[String(m)]), bcc: [bcc[String(m)]], note });
    }
    if (oneArena) {
      const last = arenaMarks[arenaMarks.length - 1];
      rows.push({
        job: `RSS after ${last} compiles, MALLOC_ARENA_MAX=1`,
        unit: "MB",
        ibcc: [oneArena[String(last)]],
        note: `one malloc arena; ibcc after ${arenaMarks.join("/")}: ${arenaMarks.map((m) => oneArena![String(m)].toFixed(0)).join("/")} MB`,
      });
    }
    return rows;
  },
};
