/*
 * The floor for reading a big hash: the BPF_MAP_LOOKUP_BATCH syscalls alone,
 * through libbpf, into preallocated arrays. The map has the same shape as the
 * bench's BPF_HASH (u64 -> u64, preallocated) and is filled with update_batch.
 * Prints one JSON line with the duration of each read in milliseconds.
 * With CHUNK and "copy" it does what a binding that returns fresh buffers
 * does: reads CHUNK entries per syscall into growing zeroed vectors, then
 * copies keys and values out once more, to show what those steps cost.
 * With MAP_ID it reads that map instead (a front end's own, already filled):
 * how a map is filled changes how fast the kernel walks it, so the fair floor
 * for a front end's read is the same syscall on the same map.
 * Usage: batch_floor ENTRIES REPS [CHUNK [copy]]
 *        batch_floor ENTRIES REPS id MAP_ID
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
  uint32_t n = argc > 1 ? (uint32_t)atol(argv[1]) : 1000000;
  int reps = argc > 2 ? atoi(argv[2]) : 5;
  uint32_t chunk = argc > 3 ? (uint32_t)atol(argv[3]) : n;
  int by_id = argc > 4 && strcmp(argv[3], "id") == 0;
  if (by_id) chunk = n;
  int copy = !by_id && argc > 4 && strcmp(argv[4], "copy") == 0;
  uint64_t *keys = malloc(sizeof(uint64_t) * n), *vals = malloc(sizeof(uint64_t) * n);
  int fd;
  if (by_id) {
    fd = bpf_map_get_fd_by_id((uint32_t)atol(argv[4]));
    if (fd < 0) { fprintf(stderr, "bpf_map_get_fd_by_id: %s\n", strerror(errno)); return 1; }
    memset(vals, 0, sizeof(uint64_t) * n);
  } else {
    fd = bpf_map_create(BPF_MAP_TYPE_HASH, "bench_floor", 8, 8, n, NULL);
    if (fd < 0) { fprintf(stderr, "bpf_map_create: %s\n", strerror(errno)); return 1; }
    for (uint32_t i = 0; i < n; i++) { keys[i] = i; vals[i] = 2 * (uint64_t)i; }
    uint32_t count = n;
    if (bpf_map_update_batch(fd, keys, vals, &count, NULL)) {
      fprintf(stderr, "bpf_map_update_batch: %s\n", strerror(errno)); return 1;
    }
  }
  printf("{\"samples\":[");
  for (int r = 0; r < reps; r++) {
    memset(keys, 0, sizeof(uint64_t) * n);
    double t0 = now_ms();
    uint64_t batch = 0;
    uint32_t total = 0;
    if (copy) {
      /* zeroed growth, as std::vector::resize does */
      memset(keys, 0, sizeof(uint64_t) * n);
      memset(vals, 0, sizeof(uint64_t) * n);
    }
    for (;;) {
      uint32_t c = n - total < chunk ? n - total : chunk;
      int err = bpf_map_lookup_batch(fd, total ? &batch : NULL, &batch, keys + total, vals + total, &c, NULL);
      total += c;
      if (err) {
        if (errno != ENOENT) { fprintf(stderr, "bpf_map_lookup_batch: %s\n", strerror(errno)); return 1; }
        break;
      }
      if (total >= n || c == 0) break;
    }
    if (copy) {
      uint64_t *k2 = malloc(sizeof(uint64_t) * n), *v2 = malloc(sizeof(uint64_t) * n);
      memcpy(k2, keys, sizeof(uint64_t) * total);
      memcpy(v2, vals, sizeof(uint64_t) * total);
      free(k2);
      free(v2);
    }
    double t1 = now_ms();
    if (total != n) { fprintf(stderr, "read %u of %u entries\n", total, n); return 1; }
    printf("%s%.3f", r ? "," : "", t1 - t0);
  }
  printf("],\"entries\":%u}\n", n);
  close(fd);
  return 0;
}
