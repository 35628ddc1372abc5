"""BCC half of the compile job: BPF(text=...) with one TRACEPOINT_PROBE, which
BCC compiles, loads and attaches in its constructor; then the detach of a
program attached to ten tracepoints."""
from bcc import BPF

import common

a = common.args(reps=5)

TINY = common.bpf_text("tiny.c")
TEN_TEXT = common.bpf_text("ten.c")

out = {"compile_first": [], "compile_next": [], "detach10": []}
for i in range(a.reps + 1):
    t0 = common.ms()
    b = BPF(text=TINY)
    out["compile_first" if i == 0 else "compile_next"].append(common.ms() - t0)
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

common.emit(out)
