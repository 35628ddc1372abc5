// One program per tracepoint, ten tracepoints: what detaching a cell costs.
TRACEPOINT_PROBE(syscalls, sys_enter_getppid) { return 0; }
TRACEPOINT_PROBE(syscalls, sys_enter_getpid) { return 0; }
TRACEPOINT_PROBE(syscalls, sys_enter_getuid) { return 0; }
TRACEPOINT_PROBE(syscalls, sys_enter_getgid) { return 0; }
TRACEPOINT_PROBE(syscalls, sys_enter_geteuid) { return 0; }
TRACEPOINT_PROBE(syscalls, sys_enter_getegid) { return 0; }
TRACEPOINT_PROBE(syscalls, sys_enter_gettid) { return 0; }
TRACEPOINT_PROBE(syscalls, sys_enter_getpgrp) { return 0; }
TRACEPOINT_PROBE(syscalls, sys_enter_getpgid) { return 0; }
TRACEPOINT_PROBE(syscalls, sys_enter_getsid) { return 0; }
