"""BCC half of the histogram job: reading a 64-slot BPF_HISTOGRAM with items()
and with items_lookup_batch()."""
import ctypes as ct

from bcc import BPF

import common

a = common.args(reps=200)

b = BPF(text=common.bpf_text("hist.c"))
dist = b["dist"]
for i in range(64):
    dist[ct.c_int(i)] = ct.c_ulonglong(3 * i + 1)

out = {"items": [], "batch": []}
for _ in range(a.reps):
    t0 = common.ms()
    rows = dist.items()
    out["items"].append(common.ms() - t0)
for _ in range(a.reps):
    t0 = common.ms()
    rows = list(dist.items_lookup_batch())
    out["batch"].append(common.ms() - t0)
    assert len(rows) == 64
b.cleanup()
common.emit(out)
