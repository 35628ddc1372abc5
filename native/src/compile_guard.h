// Runs a libbcc compile so that LLVM's fatal errors end the compile, not the
// process. LLVM 14 has no way to return some code generation errors (the BPF
// backend's "stack limit of 512 bytes is exceeded" is one): with no handler
// installed in bcc's private LLVMContext it calls abort() or exit(1) on the
// compiling thread. A notebook cell must never take the kernel down, so while
// a guarded call runs, SIGABRT and exit on that thread jump back to the guard,
// which reports the compile as crashed. What LLVM allocated for that compile
// is leaked; the kernel stays up and the message is in the captured stderr.
#pragma once

namespace ibcc {

// Calls fn(arg); on an LLVM abort or exit inside it returns nullptr and sets
// *crashed. One guarded call per thread at a time.
void* GuardedCompile(void* (*fn)(void*), void* arg, bool* crashed);

}  // namespace ibcc
