// Runs libbcc compiles on one long-lived thread of the addon's own, so that
// LLVM's fatal errors end the compile, not the process, and all of LLVM's
// allocations land in one malloc arena.
//
// LLVM 14 has no way to return some code generation errors (the BPF backend's
// "stack limit of 512 bytes is exceeded" is one): with no handler installed in
// bcc's private LLVMContext it calls abort() or exit(1) on the compiling
// thread. A notebook cell must never take the kernel down, so while a guarded
// call runs, SIGABRT and exit on that thread jump back to the guard, which
// reports the compile as crashed. What LLVM allocated for that compile is
// leaked; the kernel stays up and the message is in the captured stderr.
//
// Why one thread: glibc gives each thread that allocates an arena of its own
// and keeps what is freed there for that arena's next use. Compiles spread
// over libuv's pool grew one ~40 MB arena per pool thread (or, trimmed after
// every compile, faulted ~9,600 pages back in on the next one). On one thread
// the next compile reuses the memory the last one freed: resident memory stays
// at one compile's high-water mark with no page faults, and compile_memory.h
// says when it goes back to the system.
#pragma once

namespace ibcc {

// Calls fn(arg) on the compile thread and waits for it; on an LLVM abort or
// exit inside it returns nullptr and sets *crashed. Calls from several threads
// run one after another, in order.
void* GuardedCompile(void* (*fn)(void*), void* arg, bool* crashed);

// Waits until the compiles queued so far have run, then returns every
// arena's free memory to the system (see compile_memory.h): the compiles'
// and what the pool and closer threads freed in theirs. On the compile
// thread, which owns the trim's bookkeeping. Not on the JS thread.
void ReturnMemoryNow();

// A module was destroyed: the compile thread returns the memory once idle,
// as it does after a compile (see compile_memory.h).
void CompilerMemoryFreed();

}  // namespace ibcc
