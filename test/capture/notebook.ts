/** A course-like notebook for the capture and replay test: histograms, an event stream, a table, a watch, a snapshot. */
let n = 0;
const code = (source: string, tags: string[] = []) => ({ id: `c${n++}`, cell_type: "code", metadata: tags.length ? { tags } : {}, source, outputs: [], execution_count: null });

export const PROBE = `%%bpf probe
// getppid() calls: per process, a log2 histogram of the pid, and one event each
BPF_HASH(counts, u32, u64);
BPF_HISTOGRAM(dist, int);
BPF_ARRAY(unread, u64, 4);
struct ev_t { u32 pid; u32 one; char comm[16]; };
BPF_PERF_OUTPUT(events);
TRACEPOINT_PROBE(syscalls, sys_enter_getppid) {
  u32 pid = bpf_get_current_pid_tgid() >> 32;
  counts.increment(pid);
  dist.increment(bpf_log2l(pid));
  struct ev_t e = {};
  e.pid = pid;
  e.one = 1;
  bpf_get_current_comm(&e.comm, sizeof(e.comm));
  events.perf_submit(args, &e, sizeof(e));
  return 0;
}`;

export function captureNotebook(): object {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "ibcc", display_name: "ibcc", language: "typescript" } },
    cells: [
      code("%capture on caps"),
      code(PROBE),
      code(`const stream = probe.events("events", { for: 700 });
const got = stream.collect();
for (let i = 0; i < 3000; i++) process.ppid;
const evs = await got;
({ n: evs.length, pidSum: evs.reduce((s, e) => s + e.pid, 0), ones: evs.reduce((s, e) => s + e.one, 0) })`),
      code(`probe.maps.dist.histogram({ title: "log2 of the pid" })`),
      code(`probe.maps.counts`),
      code(`const frames = setInterval(() => { for (let i = 0; i < 100; i++) process.ppid; }, 50);
await probe.maps.dist.watch({ every: 200, for: 1000, view: "histogram" });
clearInterval(frames);`),
      code(`const snap = probe.maps.counts.snapshot();
const table = snap.toArrow();
let sum = 0n;
for (const [, v] of snap.entries()) sum += BigInt(v as bigint);
({ rows: table.numRows, sum: sum.toString(), csvLines: snap.toCSV().trim().split("\\n").length, columns: table.schema.fields.map((f) => f.name).join(",") })`),
      code(`const pending = probe.events("events", { for: 300 }).toArrow();
for (let i = 0; i < 50; i++) process.ppid;
const asArrow = await pending;
({ columns: asArrow.schema.fields.map((f) => f.name).join(","), some: asArrow.numRows > 0 })`),
      code("%capture off"),
      // Replayed, a map the recording never read and a program it never ran say so.
      code("probe.maps.unread.entries().length", ["raises-exception"]),
      code("%%bpf other\nTRACEPOINT_PROBE(syscalls, sys_enter_getppid) { return 0; }", ["raises-exception"]),
    ],
  };
}
