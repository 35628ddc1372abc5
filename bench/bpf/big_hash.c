// Filled by bench/c/fill.c: getpgid(BASE + i) becomes the entry i -> 2i.
BPF_HASH(big, u64, u64, ENTRIES);

TRACEPOINT_PROBE(syscalls, sys_enter_getpgid) {
    u64 p = (u32)args->pid;
    if (p < BASE || p >= BASE + ENTRIES) return 0;
    u64 k = p - BASE, v = 2 * k;
    big.update(&k, &v);
    return 0;
}
