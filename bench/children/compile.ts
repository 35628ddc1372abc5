/**
 * ibcc half of the compile job, in a fresh process so the first compile is a
 * process's first: compile + load + attach of one tracepoint program, then the
 * detach of ten tracepoints. Prints one JSON line.
 */
import { bpfText } from "../lib/bpf.js";
import { binding } from "../lib/ibcc.js";
import { nowMs } from "../lib/stats.js";

const reps = Number(process.argv[2] ?? 5);
const b = await binding();
// "prepared": the once-per-process compiler set-up done first, as a kernel does at start.
if (process.argv[3] === "prepared") await b.prepareCompiler?.();
const tiny = bpfText("tiny.c");
const out: Record<string, number[]> = { compile_first: [], compile_next: [], detach10: [] };

for (let i = 0; i <= reps; i++) {
  const t0 = nowMs();
  const mod = await b.compile(tiny);
  const prog = await mod.load("tracepoint__syscalls__sys_enter_getppid", "tracepoint");
  prog.attachTracepoint("syscalls", "sys_enter_getppid");
  out[i === 0 ? "compile_first" : "compile_next"].push(nowMs() - t0);
  mod.close();
}

const ten = bpfText("ten.c");
for (let i = 0; i < reps; i++) {
  const mod = await b.compile(ten);
  const attachments = [];
  for (const fn of mod.functions) {
    const prog = await mod.load(fn, "tracepoint");
    const [, cat, ev] = /^tracepoint__(\w+?)__(\w+)$/.exec(fn)!;
    attachments.push(prog.attachTracepoint(cat, ev));
  }
  if (attachments.length !== 10) throw new Error(`attached ${attachments.length} of 10`);
  const t0 = nowMs();
  for (const a of attachments) a.close();
  out.detach10.push(nowMs() - t0);
  mod.close();
}
process.stdout.write(JSON.stringify(out) + "\n");
