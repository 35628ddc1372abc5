"""BCC half of the memory job: resident memory of this Python process after
1, 50 and 100 compiles of a tiny tracepoint program, each attached and then
cleaned up, as a notebook re-running one cell would."""
from bcc import BPF

import common

a = common.args(marks="1,50,100")
marks = [int(m) for m in a.marks.split(",")]
TINY = common.bpf_text("tiny.c")

out = {"baseline": common.rss_mb()}
for i in range(1, max(marks) + 1):
    b = BPF(text=TINY)
    b.cleanup()
    if i in marks:
        out[str(i)] = common.rss_mb()
common.emit(out)
