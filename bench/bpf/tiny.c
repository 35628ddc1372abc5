// The smallest useful cell: one tracepoint program that does nothing.
TRACEPOINT_PROBE(syscalls, sys_enter_getppid) { return 0; }
