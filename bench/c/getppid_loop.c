/*
 * The events workload: calls getppid() in a tight loop for a fixed time and
 * prints its own call rate. It waits for one line on stdin before it starts,
 * so the consumer can compile and attach a filter on this pid first.
 * Usage: getppid_loop SECONDS
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 1.0;
  char line[64];
  printf("{\"ready\":%d}\n", getpid());
  fflush(stdout);
  if (!fgets(line, sizeof line, stdin)) return 1;
  double start = now(), end = start + seconds, t = start;
  long calls = 0;
  while (t < end) {
    /* the clock is read once per 256 calls to keep its cost out of the rate */
    for (int i = 0; i < 256; i++) syscall(SYS_getppid);
    calls += 256;
    t = now();
  }
  printf("{\"calls\":%ld,\"seconds\":%.6f,\"rate\":%.1f}\n", calls, t - start, calls / (t - start));
  return 0;
}
