#include "closer.h"
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

namespace ibcc {

namespace {

// The detach floor in C: ten perf event closes take ~550 ms one after
// another and ~280 ms from ten threads. More threads than closes in flight
// buy nothing, and a cell rarely has more than a few dozen hooks.
const size_t kMaxThreads = 8;

struct Job {
  unsigned long long seq;
  std::function<void()> close;
};

// Never destroyed: closer threads may wait on it while exit() runs.
struct State {
  std::mutex mu;
  std::condition_variable work, finished;
  std::deque<Job> jobs;
  std::set<unsigned long long> pending;  // queued or running, by sequence number
  size_t threads = 0, idle = 0;
  unsigned long long next = 1;
};
State& S() {
  static State* s = new State;
  return *s;
}

void ThreadMain() {
  State& s = S();
  std::unique_lock<std::mutex> lk(s.mu);
  for (;;) {
    s.idle++;
    s.work.wait(lk, [&] { return !s.jobs.empty(); });
    s.idle--;
    Job job = std::move(s.jobs.front());
    s.jobs.pop_front();
    lk.unlock();
    job.close();
    job.close = nullptr;
    lk.lock();
    s.pending.erase(job.seq);
    s.finished.notify_all();
  }
}

}  // namespace

void CloseInBackground(std::function<void()> close) {
  State& s = S();
  std::lock_guard<std::mutex> lk(s.mu);
  unsigned long long seq = s.next++;
  s.jobs.push_back(Job{seq, std::move(close)});
  s.pending.insert(seq);
  if (s.idle < s.jobs.size() && s.threads < kMaxThreads) {
    // Detached and never ended: an idle one is a parked thread, and exit()
    // must not wait for them (the kernel closes whatever is left at exit).
    std::thread(ThreadMain).detach();
    s.threads++;
  }
  s.work.notify_one();
}

bool WaitForCloses(std::chrono::milliseconds timeout) {
  State& s = S();
  std::unique_lock<std::mutex> lk(s.mu);
  // Closes finish out of order: done with everything handed over so far when
  // the oldest still pending came later.
  unsigned long long last = s.next - 1;
  return s.finished.wait_for(lk, timeout, [&] { return s.pending.empty() || *s.pending.begin() > last; });
}

size_t PendingCloses() {
  State& s = S();
  std::lock_guard<std::mutex> lk(s.mu);
  return s.pending.size();
}

}  // namespace ibcc

// ---- JS surface -----------------------------------------------------------
#include "registry.h"

namespace ibcc {

namespace {

// settleCloses() -> Promise<boolean>: true once every close handed over before
// the call has run (false if that took over 10 s). Waits on the pool.
class SettleWorker : public Napi::AsyncWorker {
 public:
  explicit SettleWorker(Napi::Env env) : Napi::AsyncWorker(env, "ibcc.settleCloses"), deferred_(env) {}
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override { ok_ = WaitForCloses(std::chrono::seconds(10)); }
  void OnOK() override { deferred_.Resolve(Napi::Boolean::New(Env(), ok_)); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  bool ok_ = false;
};

Registration reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("settleCloses", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    auto* w = new SettleWorker(info.Env());
    auto p = w->Promise();
    w->Queue();
    return p;
  }));
  exports.Set("pendingCloses", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), (double)PendingCloses());
  }));
});

}  // namespace

}  // namespace ibcc
