"""BCC half of the events job: a 32-byte event per getppid() of the workload,
through a perf buffer (BCC's defaults, or wakeup_events=64) or a ring buffer.
The callback only counts, as a consumer that keeps up at best would."""
import json
import resource
import subprocess

from bcc import BPF

import common

a = common.args(mode="perf", seconds=1.0, workload="", ring_pages=128)

work = subprocess.Popen([a.workload, str(a.seconds)], stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE, text=True)
pid = json.loads(work.stdout.readline())["ready"]
cflags = ["-DPID=%d" % pid]
if a.mode == "ring":
    cflags += ["-DRING", "-DRING_PAGES=%d" % a.ring_pages]
b = BPF(text=common.bpf_text("events.c"), cflags=cflags)

state = {"events": 0, "lost": 0}


def on_event(*_):
    state["events"] += 1


def on_lost(n):
    state["lost"] += n


if a.mode == "ring":
    b["events"].open_ring_buffer(on_event)
    poll, drain = b.ring_buffer_poll, b.ring_buffer_consume
else:
    b["events"].open_perf_buffer(on_event, lost_cb=on_lost,
                                 wakeup_events=64 if a.mode == "perf64" else 1)
    poll, drain = b.perf_buffer_poll, b.perf_buffer_consume

def cpu_s():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def switches():
    return resource.getrusage(resource.RUSAGE_SELF).ru_nvcsw


cpu0 = cpu_s()
sw0 = switches()
work.stdin.write("go\n")
work.stdin.flush()
while work.poll() is None:
    poll(100)
drain()
cpu = cpu_s() - cpu0
sw = switches() - sw0
report = json.loads(work.stdout.readline())
dropped = b["dropped"][0].value
b.cleanup()
common.emit({"events": state["events"], "lost": state["lost"] + dropped, "calls": report["calls"],
             "seconds": report["seconds"], "rate": report["rate"], "cpu": cpu, "switches": sw})
