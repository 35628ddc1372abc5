/*
 * Fills a BPF hash through the kernel, the same way for every front end: it
 * calls getpgid(BASE + i) for i in [0, n). No process has such a pid (pid_max
 * is at most 2^22), so each call fails at once with ESRCH, and the bench's
 * tracepoint program on sys_enter_getpgid turns the argument into key i.
 * Usage: fill N
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define BASE 0x40000000L

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  for (long i = 0; i < n; i++) syscall(SYS_getpgid, BASE + i);
  printf("{\"filled\":%ld}\n", n);
  return 0;
}
