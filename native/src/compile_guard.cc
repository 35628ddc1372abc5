#include "compile_guard.h"
#include "compile_memory.h"
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <chrono>
#include <condition_variable>
#include <deque>
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

struct Job {
  void* (*fn)(void*);  // nullptr: a barrier, which returns free memory
  void* arg;
  void* result = nullptr;
  bool crashed = false;
  bool done = false;
};

// A burst of compiles (re-running cells one after another) keeps its memory;
// the compile thread returns it once no compile has come for this long.
const auto kIdleBeforeTrim = std::chrono::milliseconds(250);

// Never destroyed: the thread may still wait on them while exit() runs
// static destructors.
struct Queue {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Job*> jobs;
  bool thread_alive = false;
  bool dirty = false;  // memory freed by a compile or a module, not returned yet
};
Queue& Q() {
  static Queue* q = new Queue;
  return *q;
}

void RunGuarded(Job* job) {
  sigjmp_buf env;
  if (sigsetjmp(env, 1) == 0) {
    t_env = &env;
    job->result = job->fn(job->arg);
    t_env = nullptr;
    return;
  }
  t_env = nullptr;
  job->crashed = true;
}

void ThreadMain() {
  // libbcc chdir()s into the kernel headers for the length of a compile; with
  // its own copy of the process's cwd, this thread's chdir is not seen by the
  // JS thread, which would otherwise open a cell's relative paths there.
  unshare(CLONE_FS);
  Queue& q = Q();
  for (;;) {
    Job* job;
    {
      std::unique_lock<std::mutex> lk(q.mu);
      if (q.dirty && q.jobs.empty() && !q.cv.wait_for(lk, kIdleBeforeTrim, [&] { return !q.jobs.empty(); })) {
        q.dirty = false;
        lk.unlock();
        ReturnFreedMemory();
        continue;
      }
      q.cv.wait(lk, [&] { return !q.jobs.empty() || q.dirty; });
      if (q.jobs.empty()) continue;  // freed memory to return once idle
      job = q.jobs.front();
      q.jobs.pop_front();
    }
    if (!job->fn) {
      {
        std::lock_guard<std::mutex> lk(q.mu);
        q.dirty = false;
      }
      ReturnFreedMemory();
    } else {
      Prefault();
      RunGuarded(job);
      if (!job->crashed) ReturnIfOverBudget();
      std::lock_guard<std::mutex> lk(q.mu);
      q.dirty = true;
    }
    bool crashed = job->crashed;
    {
      std::lock_guard<std::mutex> lk(q.mu);
      job->done = true;
      // exit() has destroyed this thread's thread_local objects (and an abort
      // left LLVM mid-way): the thread ends, and another takes the queue.
      if (crashed) {
        if (q.jobs.empty()) q.thread_alive = false;
        else std::thread(ThreadMain).detach();
      }
    }
    q.cv.notify_all();
    if (crashed) return;
  }
}

void* Submit(void* (*fn)(void*), void* arg, bool* crashed) {
  Job job{fn, arg};
  Queue& q = Q();
  std::unique_lock<std::mutex> lk(q.mu);
  if (!q.thread_alive) {
    // Detached: it holds nothing to release, and exit() must not wait for it.
    std::thread(ThreadMain).detach();
    q.thread_alive = true;
  }
  q.jobs.push_back(&job);
  q.cv.notify_all();
  q.cv.wait(lk, [&] { return job.done; });
  if (crashed) *crashed = job.crashed;
  return job.result;
}

}  // namespace

void* GuardedCompile(void* (*fn)(void*), void* arg, bool* crashed) {
  std::call_once(g_once, Install);
  // exit() runs atexit handlers last-registered first, and a static that LLVM
  // built during an earlier compile registered its destructor after any
  // handler of ours registered before it. Registered anew before each compile,
  // this handler runs before those destructors, so LLVM's statics survive a
  // crashed compile. The cost is one entry in the atexit list per compile.
  atexit(OnExit);
  return Submit(fn, arg, crashed);
}

void ReturnMemoryNow() { Submit(nullptr, nullptr, nullptr); }

void CompilerMemoryFreed() {
  Queue& q = Q();
  {
    std::lock_guard<std::mutex> lk(q.mu);
    if (!q.thread_alive) return;
    q.dirty = true;
  }
  q.cv.notify_all();
}

}  // namespace ibcc
