/**
 * ibcc half of the memory job: resident memory of a fresh Node process after
 * 1, 50 and 100 compiles of a tiny tracepoint program, each loaded, attached
 * and closed, as re-running one notebook cell does. At each mark, twice: right
 * after the close ("burst": the compiler keeps a compile's freed memory while
 * compiles keep coming) and once the compiler has given it back, as it does
 * after 250 ms without a compile (returnFreedMemory() asks for that at once).
 * Prints one JSON line.
 */
import { bpfText } from "../lib/bpf.js";
import { binding } from "../lib/ibcc.js";
import { rssMb } from "../lib/stats.js";

const marks = (process.argv[2] ?? "1,50,100").split(",").map(Number);
const b = await binding();
const tiny = bpfText("tiny.c");
const out: Record<string, number> = { baseline: rssMb() };
for (let i = 1; i <= Math.max(...marks); i++) {
  const mod = await b.compile(tiny);
  const prog = await mod.load("tracepoint__syscalls__sys_enter_getppid", "tracepoint");
  prog.attachTracepoint("syscalls", "sys_enter_getppid");
  mod.close();
  if (marks.includes(i)) {
    out[`burst${i}`] = rssMb();
    await b.returnFreedMemory?.();
    out[String(i)] = rssMb();
  }
}
await b.settled?.();
process.stdout.write(JSON.stringify(out) + "\n");
