/*
 * The floor for detaching tracepoint programs: what the kernel alone takes.
 * Loads a two-instruction tracepoint program, attaches it to ten syscall
 * tracepoints (perf_event_open + PERF_EVENT_IOC_SET_BPF, as libbcc does), and
 * times the ten closes. Prints one JSON line, in milliseconds per repetition.
 * With "parallel" the ten fds are closed from ten threads at once, to show how
 * much of the kernel's time per close can overlap.
 * Usage: detach_floor REPS [parallel]
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static const char *events[] = {"getppid", "getpid", "getuid", "getgid", "geteuid",
                               "getegid", "gettid", "getpgrp", "getpgid", "getsid"};

static void *closer(void *fd) {
  close((int)(long)fd);
  return NULL;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int tracepoint_id(const char *name) {
  char path[256];
  snprintf(path, sizeof path, "/sys/kernel/tracing/events/syscalls/sys_enter_%s/id", name);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  int id = -1;
  if (fscanf(f, "%d", &id) != 1) id = -1;
  fclose(f);
  return id;
}

int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 5;
  int parallel = argc > 2 && strcmp(argv[2], "parallel") == 0;
  struct bpf_insn prog[] = {
      {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
      {.code = BPF_JMP | BPF_EXIT},
  };
  int pfd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "floor", "GPL", prog, 2, NULL);
  if (pfd < 0) { fprintf(stderr, "bpf_prog_load: %s\n", strerror(errno)); return 1; }
  printf("{\"samples\":[");
  for (int r = 0; r < reps; r++) {
    int fds[10];
    for (int i = 0; i < 10; i++) {
      struct perf_event_attr attr = {0};
      attr.type = PERF_TYPE_TRACEPOINT;
      attr.size = sizeof attr;
      attr.config = tracepoint_id(events[i]);
      attr.sample_period = 1;
      attr.wakeup_events = 1;
      fds[i] = syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
      if (fds[i] < 0 || ioctl(fds[i], PERF_EVENT_IOC_SET_BPF, pfd) || ioctl(fds[i], PERF_EVENT_IOC_ENABLE, 0)) {
        fprintf(stderr, "attach %s: %s\n", events[i], strerror(errno));
        return 1;
      }
    }
    double t0 = now_ms();
    if (parallel) {
      pthread_t th[10];
      for (int i = 0; i < 10; i++) pthread_create(&th[i], NULL, closer, (void *)(long)fds[i]);
      for (int i = 0; i < 10; i++) pthread_join(th[i], NULL);
    } else {
      for (int i = 0; i < 10; i++) close(fds[i]);
    }
    printf("%s%.3f", r ? "," : "", now_ms() - t0);
  }
  printf("]}\n");
  close(pfd);
  return 0;
}
