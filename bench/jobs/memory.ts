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
    const bcc = await runBcc<Record<string, number>>("memory", { marks: arg }, 300_000);
    ctx.log(`memory: ibcc, ${arg} compiles`);
    let ib: Record<string, number> | undefined;
    let missing = "";
    try {
      ib = await runChild<Record<string, number>>("memory", [arg], 300_000);
    } catch (e) {
      missing = "ibcc n/a: " + why(e);
    }
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
        note = `once the compiler is idle; target < ${TARGET_MB} MB and flat: ${ok ? "met" : "MISSED"} (+${growth.toFixed(1)} MB since ${marks[1]})`;
      }
      rows.push({ job: `RSS after ${m} compile${m > 1 ? "s" : ""}`, unit: "MB", ibcc: one(ib?.[String(m)]), bcc: [bcc[String(m)]], note });
    }
    // The compiler keeps one compile's freed memory (~40 MB) while compiles
    // keep coming, and gives it back after 250 ms without one: the rows above
    // are after that; this one is right after the close, mid-burst.
    const last = marks[marks.length - 1];
    if (ib?.[`burst${last}`] !== undefined)
      rows.push({
        job: `RSS after ${last} compiles, mid-burst`,
        unit: "MB",
        ibcc: one(ib[`burst${last}`]),
        bcc: [bcc[String(last)]],
        note: `right after the close, before the compiler gives back its memory; ibcc after ${marks.join("/")}: ${marks.map((m) => ib![`burst${m}`].toFixed(0)).join("/")} MB`,
      });
    return rows;
  },
};
