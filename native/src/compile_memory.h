// What the compile thread does with the memory LLVM frees between compiles.
//
// A compile of even a tiny program parses BCC's and the kernel's headers and
// peaks at about 40 MB of heap, all freed when it ends. Kept, the next compile
// reuses it without a page fault, but a Node kernel then sits about 40 MB
// higher (~185 MB, against a 150 MB budget). Returned after every compile
// with malloc_trim, the next compile faulted it back one page at a time:
// ~9,600 minor faults, ~150 ms of system time on a virtual machine whose
// faults are dear. So the compile thread keeps it through a burst of compiles
// and returns it once 250 ms pass with no compile after a compile or a module's
// destruction (ReturnFreedMemory), and before each compile asks for its heap
// back in one madvise(MADV_POPULATE_WRITE) call (Prefault): ~8 ms for the
// whole range, nothing when it is still there.
#pragma once

namespace ibcc {

// Returns freed memory of every arena to the system, and unmaps the pages of
// LLVM's and Clang's code and constants that the compile faulted in (see
// ReleaseCompilerText in compile_memory.cc).
void ReturnFreedMemory();

// Faults the calling thread's malloc heap in with one system call. A no-op
// on kernels before 5.14 (no MADV_POPULATE_WRITE) and for a thread on the
// main arena (brk heap).
void Prefault();

// After a compile: returns malloc's freed memory at once when the process
// holds more anonymous memory than a budget over what it held after the last
// return, so a long run of compiles with no idle pause still stays bounded.
// The compiler's library pages stay mapped: the next compile needs them.
void ReturnIfOverBudget();

}  // namespace ibcc
