#include "compile_guard.h"
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <mutex>
#include <thread>

namespace ibcc {

namespace {

thread_local sigjmp_buf* t_env = nullptr;
struct sigaction g_previous {};
std::once_flag g_once;

void OnAbort(int sig, siginfo_t* info, void* uc) {
  if (t_env) siglongjmp(*t_env, 1);
  // Not a guarded compile: behave as before the guard was installed.
  sigaction(SIGABRT, &g_previous, nullptr);
  if (g_previous.sa_flags & SA_SIGINFO) {
    if (g_previous.sa_sigaction) g_previous.sa_sigaction(sig, info, uc);
  } else if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN) {
    g_previous.sa_handler(sig);
  }
  raise(SIGABRT);
}

void OnExit() {
  if (t_env) siglongjmp(*t_env, 1);
}

void Install() {
  struct sigaction sa {};
  sa.sa_sigaction = OnAbort;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGABRT, &sa, &g_previous);
}

}  // namespace

// On its own short-lived thread: exit() destroys the calling thread's
// thread_local objects before it runs atexit handlers, and a thread of libuv's
// pool must not live on with them destroyed.
void* GuardedCompile(void* (*fn)(void*), void* arg, bool* crashed) {
  std::call_once(g_once, Install);
  // exit() runs atexit handlers last-registered first, and a static that LLVM
  // built during an earlier compile registered its destructor after any
  // handler of ours registered before it. Registered anew before each compile,
  // this handler runs before those destructors, so LLVM's statics survive a
  // crashed compile. The cost is one entry in the atexit list per compile.
  atexit(OnExit);
  *crashed = false;
  void* result = nullptr;
  std::thread worker([&] {
    sigjmp_buf env;
    if (sigsetjmp(env, 1) == 0) {
      t_env = &env;
      result = fn(arg);
      t_env = nullptr;
      return;
    }
    t_env = nullptr;
    *crashed = true;
  });
  worker.join();
  return result;
}

}  // namespace ibcc
