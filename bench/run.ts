/**
 * `npm run bench`: every job through ibcc and through BCC's Python front end,
 * in one run on one kernel, printed as one table.
 *   --only maps,events   run the jobs whose names contain any of these words
 *   --quick              fewer entries, repetitions and seconds
 * Jobs: maps, histogram, compile, events, memory, kernel.
 */
import { parseArgs } from "./lib/args.js";
import { buildHelpers } from "./lib/cbuild.js";
import { binding } from "./lib/ibcc.js";
import { load, machineFacts } from "./lib/machine.js";
import type { Job, JobContext, Row } from "./lib/row.js";
import { cpus } from "node:os";
import { nowMs } from "./lib/stats.js";
import { formatTable } from "./lib/table.js";
import { job as maps } from "./jobs/maps.js";
import { job as histogram } from "./jobs/histogram.js";
import { job as compile } from "./jobs/compile.js";
import { job as events } from "./jobs/events.js";
import { job as memory } from "./jobs/memory.js";
import { job as kernel } from "./jobs/kernel.js";
import { job as capture } from "./jobs/capture.js";

const JOBS: Job[] = [maps, histogram, compile, events, memory, kernel, capture];

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    process.stdout.write(`usage: npm run bench -- [--quick] [--only ${JOBS.map((j) => j.name).join(",")}]\n`);
    return;
  }
  const jobs = JOBS.filter((j) => !opts.only.length || opts.only.some((w) => j.name.includes(w)));
  if (!jobs.length) throw new Error(`no job matches --only ${opts.only.join(",")}; jobs: ${JOBS.map((j) => j.name).join(", ")}`);

  let libbcc: string | undefined;
  let bindingNote = "";
  try {
    libbcc = (await binding()).libbccVersion;
  } catch (e) {
    bindingNote = `ibcc binding not available (${e instanceof Error ? e.message.split("\n")[0] : e}); ibcc cells are empty`;
  }
  const appendices: string[] = [];
  const ctx: JobContext = {
    quick: opts.quick,
    bin: buildHelpers(),
    log: (m) => process.stderr.write(`bench: ${m}\n`),
    appendix: (title, text) => appendices.push(`${title}:\n${text}`),
  };

  const started = nowMs();
  const loadBefore = load();
  const rows: Row[] = [];
  for (const job of jobs) {
    try {
      rows.push(...(await job.run(ctx)));
    } catch (e) {
      rows.push({ job: job.name, unit: "", note: "FAILED: " + (e instanceof Error ? e.message.split("\n")[0] : String(e)) });
    }
  }

  const out = [
    `ibcc bench${opts.quick ? " (--quick)" : ""}: ibcc vs BCC ${"python3-bpfcc"}, same kernel, same run`,
    ...machineFacts(libbcc).map((f) => "  " + f),
    ...(bindingNote ? ["  " + bindingNote] : []),
    "  ratio = ibcc median / BCC median: below 1 is ibcc ahead for times, MB, lost and slowdown; above 1 for rates",
    "",
    formatTable(rows),
    "",
    `total ${((nowMs() - started) / 1000).toFixed(1)} s; load average (1/5/15 min) ${loadBefore} at the start, ${load()} at the end, on ${cpus().length} cores`,
    ...appendices.map((a) => "\n" + a),
  ];
  process.stdout.write(out.join("\n") + "\n");
}

main().catch((e) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.stack : e}\n`);
  process.exit(1);
});
