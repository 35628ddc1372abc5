"""Shared by the BCC halves of the bench: argument parsing, a clock, and the
one JSON line each script prints for bench/run.ts to read."""
import argparse
import json
import os
import sys
import time

BASE = 0x40000000  # the pid offset bench/c/fill.c passes to getpgid()


def bpf_text(name):
    """The BPF C both front ends run, from bench/bpf/."""
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "bpf", name)) as f:
        return f.read()


def args(**defaults):
    p = argparse.ArgumentParser()
    for name, value in defaults.items():
        p.add_argument("--" + name.replace("_", "-"), type=type(value), default=value)
    return p.parse_args()


def ms():
    return time.perf_counter() * 1e3


def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def emit(result):
    """The last line of stdout is the result; anything before it is a log."""
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
