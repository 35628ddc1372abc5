"""Measures one kernelspec with jupyter_client over fresh kernels:
- start to the first kernel_info_reply;
- the first `1 + 1` round trips sent right after that reply and iopub has
  joined (what nbclient does: cells go as soon as the kernel is ready, while it
  may still be loading);
- the `1 + 1` round trip once the kernel has settled (request to reply and idle);
- start to the end of a first cell that compiles and attaches a BPF program
  (every other start, when BPF_CELL is given), and 8 s after that cell the
  resident memory (RSS and PSS) of the kernel's processes.
Prints one JSON object on stdout.

usage: latency.py KERNEL_NAME STARTS ROUND_TRIPS [BPF_CELL]   (JUPYTER_PATH selects the spec)
"""
import json
import os
import sys
import time
from queue import Empty

from jupyter_client.manager import KernelManager

FIRST_TRIPS = 3


def start_once(name):
    km = KernelManager(kernel_name=name)
    t0 = time.perf_counter()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    # zeromq queues the request until the kernel binds: one request measures it.
    msg_id = kc.kernel_info()
    while True:
        m = kc.get_shell_msg(timeout=120)
        if m["parent_header"].get("msg_id") == msg_id:
            break
    return km, kc, t0, (time.perf_counter() - t0) * 1000


def iopub_flowing(kc):
    """What jupyter_client's wait_for_ready does after the reply: iopub joins
    a moment after shell, and a status a kernel publishes before then is lost
    (an execute's idle included), so ask kernel_info until its status arrives."""
    while True:
        msg_id = kc.kernel_info()
        deadline = time.time() + 1
        while time.time() < deadline:
            try:
                m = kc.get_iopub_msg(timeout=0.2)
            except Empty:
                continue
            if m["parent_header"].get("msg_id") == msg_id:
                return


def kernel_pid(km):
    prov = getattr(km, "provisioner", None)
    proc = getattr(prov, "process", None) or getattr(km, "kernel", None)
    return proc.pid


def tree(pid):
    """The process and its descendants."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def resident_mb(pid):
    """RSS and PSS of the kernel's processes, in MB (10^6 bytes)."""
    rss = pss = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            pass
    return rss * 1024 / 1e6, pss * 1024 / 1e6


def round_trip(kc, code, timeout=60):
    t0 = time.perf_counter()
    msg_id = kc.execute(code)
    got_reply = got_idle = False
    status = None
    while not (got_reply and got_idle):
        if not got_reply:
            m = kc.get_shell_msg(timeout=timeout)
            got_reply = m["parent_header"].get("msg_id") == msg_id
            if got_reply:
                status = m["content"]["status"]
                error = f'{m["content"].get("ename")}: {m["content"].get("evalue")}'

        else:
            m = kc.get_iopub_msg(timeout=timeout)
            got_idle = (m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "status"
                        and m["content"]["execution_state"] == "idle")
    if status != "ok":
        raise RuntimeError(f"cell failed ({status}, {error}): {code[:60]!r}")
    return (time.perf_counter() - t0) * 1000


def main():
    name, starts, trips = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    bpf_cell = sys.argv[4] if len(sys.argv) > 4 else None
    out = {"start_ms": [], "first_rtt_ms": [[] for _ in range(FIRST_TRIPS)], "rtt_ms": [], "bpf_from_start_ms": [],
           "rss_mb": [], "pss_mb": []}
    for i in range(starts):
        km, kc, t0, ms = start_once(name)
        out["start_ms"].append(ms)
        try:
            iopub_flowing(kc)
            if bpf_cell and i % 2 == 1:
                round_trip(kc, bpf_cell, timeout=120)
                out["bpf_from_start_ms"].append((time.perf_counter() - t0) * 1000)
                time.sleep(8)
                rss, pss = resident_mb(kernel_pid(km))
                out["rss_mb"].append(rss)
                out["pss_mb"].append(pss)
            else:
                for k in range(FIRST_TRIPS):
                    out["first_rtt_ms"][k].append(round_trip(kc, "1 + 1", timeout=120))
            if i == 0:
                # Settled: whatever the kernel loads in the background after start
                # (ibcc's language service, its compiler set-up) has finished.
                deadline = time.time() + 120
                while round_trip(kc, "1 + 1") > 250 and time.time() < deadline:
                    time.sleep(0.5)
                time.sleep(8)
                out["rtt_ms"] = [round_trip(kc, "1 + 1") for _ in range(trips)]
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
