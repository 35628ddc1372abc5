"""BCC half of the compile job: BPF(text=...) with one TRACEPOINT_PROBE, which
BCC compiles, loads and attaches in its constructor (wall, process CPU and
minor faults); the detach of a program attached to ten tracepoints; and a
changed ten-tracepoint cell run again (the old BPF object cleaned up, then
BPF(text=new)) against BPF(text) alone."""
import resource

from bcc import BPF

import common

a = common.args(reps=5)

TINY = common.bpf_text("tiny.c")
TEN_TEXT = common.bpf_text("ten.c")


def usage():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return (r.ru_utime + r.ru_stime) * 1e3, r.ru_minflt


out = {"compile_first": [], "compile_next": [], "compile_next_cpu": [], "compile_next_faults": [],
       "detach10": [], "rerun10": [], "compile10": []}
for i in range(a.reps + 1):
    c0, f0 = usage()
    t0 = common.ms()
    b = BPF(text=TINY)
    t1 = common.ms()
    c1, f1 = usage()
    out["compile_first" if i == 0 else "compile_next"].append(t1 - t0)
    if i > 0:
        out["compile_next_cpu"].append(c1 - c0)
        out["compile_next_faults"].append(f1 - f0)
    assert b.num_open_tracepoints() == 1
    b.cleanup()

for _ in range(a.reps):
    b = BPF(text=TEN_TEXT)
    assert b.num_open_tracepoints() == 10
    t0 = common.ms()
    for tp in list(b.tracepoint_fds):
        b.detach_tracepoint(tp)
    out["detach10"].append(common.ms() - t0)
    b.cleanup()

# A notebook front end on BCC re-running a changed cell: what it can do is
# detach the old object, then construct the new one.
old = BPF(text=TEN_TEXT + "\n// run 0\n")
for i in range(1, a.reps + 1):
    t0 = common.ms()
    old.cleanup()
    old = BPF(text=TEN_TEXT + "\n// run %d\n" % i)
    out["rerun10"].append(common.ms() - t0)
    assert old.num_open_tracepoints() == 10
    t1 = common.ms()
    alone = BPF(text=TEN_TEXT + "\n// alone %d\n" % i)
    out["compile10"].append(common.ms() - t1)
    alone.cleanup()
old.cleanup()

common.emit(out)
