"""BCC half of the big-map job: a 1M-entry u64 -> u64 hash filled through a
tracepoint by bench/c/fill.c, read with items() and items_lookup_batch(), and the latter with every value read."""
import subprocess

from bcc import BPF

import common

a = common.args(entries=1000000, reps=5, items_reps=1, fill="")

b = BPF(text=common.bpf_text("big_hash.c"),
        cflags=["-DENTRIES=%d" % a.entries, "-DBASE=%dULL" % common.BASE])
big = b["big"]

t0 = common.ms()
subprocess.run([a.fill, str(a.entries)], check=True, stdout=subprocess.DEVNULL)
fill_ms = common.ms() - t0
b.detach_tracepoint(b"syscalls:sys_enter_getpgid")
if len(big) != a.entries:
    raise SystemExit("filled %d of %d entries" % (len(big), a.entries))

out = {"fill": [fill_ms], "items": [], "batch": [], "batch_touched": []}
for _ in range(a.items_reps):
    t0 = common.ms()
    rows = big.items()
    out["items"].append(common.ms() - t0)
    assert len(rows) == a.entries
    del rows

for _ in range(a.reps):
    t0 = common.ms()
    rows = list(big.items_lookup_batch())
    out["batch"].append(common.ms() - t0)
    assert len(rows) == a.entries
    del rows

# The same read with every row's value looked at, as a cell that sums or
# charts the rows does (beside ibcc's lazy rows, made when first read).
for _ in range(a.reps):
    t0 = common.ms()
    rows = list(big.items_lookup_batch())
    total = 0
    for _k, v in rows:
        total += v  # items_lookup_batch gives plain ints for u64
    out["batch_touched"].append(common.ms() - t0)
    assert len(rows) == a.entries
    del rows

b.cleanup()
common.emit(out)
