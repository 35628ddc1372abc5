/**
 * ibcc half of the compile job, in a fresh process so the first compile is a
 * process's first: compile + load + attach of one tracepoint program (wall,
 * process CPU and minor faults), the detach of ten tracepoints, and the
 * re-run of a changed ten-tracepoint cell against its compile alone. Prints
 * one JSON line.
 */
import { bpfText } from "../lib/bpf.js";
import { binding } from "../lib/ibcc.js";
import { nowMs } from "../lib/stats.js";

const reps = Number(process.argv[2] ?? 5);
const b = await binding();
// "prepared": the once-per-process compiler set-up done first, as a kernel does at start.
if (process.argv[3] === "prepared") await b.prepareCompiler?.();
const tiny = bpfText("tiny.c");
const out: Record<string, number[]> = {
  compile_first: [], compile_next: [], compile_next_cpu: [], compile_next_faults: [],
  detach10: [], detach10_settled: [], rerun10: [], compile10: [],
};

/** Process CPU (user + system) in ms and minor faults, so far. */
function usage(): { cpu: number; faults: number } {
  const u = process.resourceUsage();
  return { cpu: (u.userCPUTime + u.systemCPUTime) / 1e3, faults: u.minorPageFault };
}

for (let i = 0; i <= reps; i++) {
  const u0 = usage();
  const t0 = nowMs();
  const mod = await b.compile(tiny);
  const prog = await mod.load("tracepoint__syscalls__sys_enter_getppid", "tracepoint");
  prog.attachTracepoint("syscalls", "sys_enter_getppid");
  const t1 = nowMs();
  const u1 = usage();
  out[i === 0 ? "compile_first" : "compile_next"].push(t1 - t0);
  if (i > 0) {
    out.compile_next_cpu.push(u1.cpu - u0.cpu);
    out.compile_next_faults.push(u1.faults - u0.faults);
  }
  mod.close();
}
await b.settled?.();

const ten = bpfText("ten.c");
async function attachTen(text: string) {
  const mod = await b.compile(text);
  const attachments = [];
  for (const fn of mod.functions) {
    const prog = await mod.load(fn, "tracepoint");
    const [, cat, ev] = /^tracepoint__(\w+?)__(\w+)$/.exec(fn)!;
    attachments.push(prog.attachTracepoint(cat, ev));
  }
  if (attachments.length !== 10) throw new Error(`attached ${attachments.length} of 10`);
  return { mod, attachments };
}

for (let i = 0; i < reps; i++) {
  const { mod, attachments } = await attachTen(ten);
  const t0 = nowMs();
  for (const a of attachments) a.close();
  out.detach10.push(nowMs() - t0);
  await b.settled?.();
  out.detach10_settled.push(nowMs() - t0);
  mod.close();
}

// A changed cell run again, as %%bpf does it: the new text is compiled,
// loaded and attached, then the old program closed. Interleaved with the
// same compile alone (nothing loaded, nothing to detach).
let old = (await attachTen(ten + "\n// run 0\n")).mod;
await b.settled?.();
for (let i = 1; i <= reps; i++) {
  const t0 = nowMs();
  const { mod } = await attachTen(ten + `\n// run ${i}\n`);
  old.close();
  out.rerun10.push(nowMs() - t0);
  old = mod;
  await b.settled?.();
  const t1 = nowMs();
  const alone = await b.compile(ten + `\n// alone ${i}\n`);
  out.compile10.push(nowMs() - t1);
  alone.close();
}
old.close();
await b.settled?.();
process.stdout.write(JSON.stringify(out) + "\n");
