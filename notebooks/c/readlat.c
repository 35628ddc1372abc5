// read() latency per call: the entry probe stores a timestamp per thread, the
// exit probe turns it into a log2 histogram of microseconds. Loaded by
// notebook 05 from this file, as bcc's vfsreadlat.py loads vfsreadlat.c.
BPF_HASH(start, u32, u64);
BPF_HISTOGRAM(dist);

TRACEPOINT_PROBE(syscalls, sys_enter_read) {
    u32 tid = bpf_get_current_pid_tgid();
    u64 ts = bpf_ktime_get_ns();
    start.update(&tid, &ts);
    return 0;
}

TRACEPOINT_PROBE(syscalls, sys_exit_read) {
    u32 tid = bpf_get_current_pid_tgid();
    u64 *tsp = start.lookup(&tid);
    if (tsp == NULL)
        return 0;   // entered before tracing started
    u64 delta = bpf_ktime_get_ns() - *tsp;
    dist.increment(bpf_log2l(delta / 1000));
    start.delete(&tid);
    return 0;
}
