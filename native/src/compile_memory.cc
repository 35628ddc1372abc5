#include "compile_memory.h"
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

namespace ibcc {

// glibc's HEAP_MAX_SIZE on 64-bit: 2 * DEFAULT_MMAP_THRESHOLD_MAX. A thread
// arena's heaps are reserved at this size and alignment.
static const uintptr_t kHeapMax = 64u << 20;

void TuneMalloc() {
  // glibc raises both thresholds on its own once a large mmapped block is
  // freed, as the first compile does (up to 32 MB for mmap, 64 MB for trim).
  // Fixed instead: large blocks still come from the heap, so the prefault
  // covers them, but whatever a compile leaves free at the top of its heap
  // beyond 4 MB goes back to the system as it is freed; malloc_trim never
  // returns the top of a thread arena's heap.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 4 << 20);
}

void ReturnFreedMemory() { malloc_trim(0); }

// The writable part of the 64 MB-aligned heap that holds p, when p is in a
// thread arena's heap (anonymous, unnamed, not [heap]).
static bool HeapOf(uintptr_t p, uintptr_t* start, uintptr_t* end) {
  FILE* f = fopen("/proc/self/maps", "re");
  if (!f) return false;
  char line[512];
  bool found = false;
  while (fgets(line, sizeof line, f)) {
    unsigned long lo, hi, inode;
    char perms[8];
    int name = 0;
    if (sscanf(line, "%lx-%lx %7s %*s %*s %lu %n", &lo, &hi, perms, &inode, &name) < 4) continue;
    if (p < lo || p >= hi) continue;
    bool anon = inode == 0 && (line[name] == '\n' || line[name] == '\0');
    if (anon && perms[0] == 'r' && perms[1] == 'w') {
      uintptr_t base = p & ~(kHeapMax - 1);
      *start = lo > base ? lo : base;
      *end = hi < base + kHeapMax ? hi : base + kHeapMax;
      found = *end > *start;
    }
    break;
  }
  fclose(f);
  return found;
}

void Prefault() {
  void* probe = malloc(1);
  uintptr_t start, end;
  bool ok = HeapOf(reinterpret_cast<uintptr_t>(probe), &start, &end);
  free(probe);
  if (ok) madvise(reinterpret_cast<void*>(start), end - start, MADV_POPULATE_WRITE);
}

}  // namespace ibcc
