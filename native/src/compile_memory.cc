#include "compile_memory.h"
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

namespace ibcc {

// glibc's HEAP_MAX_SIZE on 64-bit: 2 * DEFAULT_MMAP_THRESHOLD_MAX. A thread
// arena's heaps are reserved at this size and alignment.
static const uintptr_t kHeapMax = 64u << 20;

// Resident memory right after the last return: what the process holds without
// the compiler's kept heap. Touched only on the compile thread.
static size_t g_baseline = 0;

// A budget over that baseline for memory kept between compiles. One compile's
// heap is ~40-50 MB; a long run of cells in quick succession also leaves free,
// resident chunks in other threads' arenas that only a trim returns (a
// 1,000-cell soak climbed ~200 KiB a cell without this).
static const size_t kKeptBudget = 64u << 20;

// Anonymous resident memory: the heap a compile keeps. File pages are left
// out, since ReleaseCompilerText drops the ones a compile brings in and each
// compile faults them back.
static size_t ResidentBytes() {
  FILE* f = fopen("/proc/self/statm", "re");
  if (!f) return 0;
  unsigned long size = 0, resident = 0, shared = 0;
  int n = fscanf(f, "%lu %lu %lu", &size, &resident, &shared);
  fclose(f);
  return n == 3 && resident > shared ? (resident - shared) * static_cast<size_t>(sysconf(_SC_PAGESIZE)) : 0;
}

// The compiler's libraries (libLLVM and libclang-cpp, ~190 MB of code and
// constants) are touched only by a compile: a compile faults ~75 MB of them
// into the process, and there they stay, counted in its resident set and PSS
// (half a settled kernel's file-backed memory) though nothing runs them until
// the next compile. Unmapped once compiles go idle, they stay in the page
// cache, shared with every process that maps them, and the next compile maps
// them back with ~10,000 more minor faults and no time that could be measured
// (bench/README.md).
//
// madvise(MADV_DONTNEED) on a private file mapping drops its pages from this
// process; a page read again comes back from the file. That is exact only for
// pages never written: so only mappings with no write permission and no
// anonymous (copied-on-write) page are released. The RELRO part of a library
// is one of those copies (relocated, then made read-only) and is kept; so is a
// text page a uprobe has copied to hold its breakpoint.
static bool IsCompilerLibrary(const char* path) {
  const char* base = strrchr(path, '/');
  base = base ? base + 1 : path;
  return strncmp(base, "libLLVM", 7) == 0 || strncmp(base, "libclang-cpp", 12) == 0;
}

static void ReleaseCompilerText() {
  FILE* f = fopen("/proc/self/smaps", "re");
  if (!f) return;
  char line[4096];
  unsigned long lo = 0, hi = 0;
  bool candidate = false;
  while (fgets(line, sizeof line, f)) {
    unsigned long a, b;
    char perms[8];
    int name = 0;
    if (sscanf(line, "%lx-%lx %7s %*s %*s %*u %n", &a, &b, perms, &name) == 3 && name > 0) {
      char* path = line + name;
      path[strcspn(path, "\n")] = '\0';
      lo = a;
      hi = b;
      candidate = perms[1] != 'w' && path[0] == '/' && IsCompilerLibrary(path);
      continue;
    }
    unsigned long anon;
    // "Anonymous:" follows "Rss:" in each mapping's block; it decides.
    if (candidate && sscanf(line, "Anonymous: %lu kB", &anon) == 1) {
      if (anon == 0) madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_DONTNEED);
      candidate = false;
    }
  }
  fclose(f);
}

// Gives malloc's free memory back and takes the new baseline.
static void Trim() {
  // malloc_trim returns free pages inside an arena's heap but never the top
  // of a thread arena's heap: glibc gives that back as it is freed, once it
  // exceeds the trim threshold, which it raises to as much as 64 MB after
  // LLVM frees a large mmapped block. Fixed at 4 MB from the first trim on
  // (after the first compile, so the mmap threshold has already risen past
  // LLVM's large blocks, which then stay in the heap the prefault covers).
  // Only the trim threshold is set: a process-wide mmap threshold forced up
  // to 32 MB also moved the kernel's other threads' large blocks into their
  // arenas, and the soak's resident memory grew with it.
  static bool tuned = (mallopt(M_TRIM_THRESHOLD, 4 << 20), true);
  (void)tuned;
  malloc_trim(0);
  g_baseline = ResidentBytes();
}

void ReturnFreedMemory() {
  Trim();
  ReleaseCompilerText();
}

void ReturnIfOverBudget() {
  size_t now = ResidentBytes();
  if (g_baseline == 0) g_baseline = now;
  // Mid-burst: the heap only. The libraries' pages are what the next compile,
  // likely moments away, runs.
  else if (now > g_baseline + kKeptBudget) Trim();
}

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
