// A 32-byte event per getppid() of process PID, to a perf buffer or (with
// -DRING) a ring buffer; ring buffer drops are counted in `dropped`.
struct event {
    u64 ts;
    u32 pid;
    u32 tid;
    char comm[16];
};

BPF_ARRAY(dropped, u64, 1);
#ifdef RING
BPF_RINGBUF_OUTPUT(events, RING_PAGES);
#else
BPF_PERF_OUTPUT(events);
#endif

TRACEPOINT_PROBE(syscalls, sys_enter_getppid) {
    u64 id = bpf_get_current_pid_tgid();
    if (id >> 32 != PID) return 0;
    struct event e = {};
    e.ts = bpf_ktime_get_ns();
    e.pid = id >> 32;
    e.tid = (u32)id;
    bpf_get_current_comm(&e.comm, sizeof(e.comm));
#ifdef RING
    if (events.ringbuf_output(&e, sizeof(e), 0)) {
        int zero = 0;
        u64 *d = dropped.lookup(&zero);
        if (d) lock_xadd(d, 1);
    }
#else
    events.perf_submit(args, &e, sizeof(e));
#endif
    return 0;
}
