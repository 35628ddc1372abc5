"""Measures one kernelspec with jupyter_client: kernel start to the first
kernel_info_reply, and the `1 + 1` execute round trip (request to its reply and
idle status), over fresh kernels. Prints one JSON object on stdout.

usage: latency.py KERNEL_NAME STARTS ROUND_TRIPS   (JUPYTER_PATH selects the spec)
"""
import json
import sys
import time

from jupyter_client.manager import KernelManager


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
    return km, kc, (time.perf_counter() - t0) * 1000


def round_trip(kc, code):
    t0 = time.perf_counter()
    msg_id = kc.execute(code)
    got_reply = got_idle = False
    while not (got_reply and got_idle):
        if not got_reply:
            m = kc.get_shell_msg(timeout=60)
            got_reply = m["parent_header"].get("msg_id") == msg_id
        else:
            m = kc.get_iopub_msg(timeout=60)
            got_idle = (m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "status"
                        and m["content"]["execution_state"] == "idle")
    return (time.perf_counter() - t0) * 1000


def main():
    name, starts, trips = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    start_ms, rtt_ms = [], []
    for i in range(starts):
        km, kc, ms = start_once(name)
        start_ms.append(ms)
        if i == 0:
            kc.wait_for_ready(timeout=120)
            # Warm-up: the first cells load whatever the kernel loads lazily
            # (ibcc's TypeScript language service); wait until that has settled.
            deadline = time.time() + 120
            while round_trip(kc, "1 + 1") > 250 and time.time() < deadline:
                time.sleep(0.5)
            rtt_ms = [round_trip(kc, "1 + 1") for _ in range(trips)]
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    print(json.dumps({"start_ms": start_ms, "rtt_ms": rtt_ms}))


if __name__ == "__main__":
    main()
