// The process's malloc heap as %memory shows it: what is in use and what
// glibc holds free, and a way to give the free part back. V8's heaps are not
// in these figures (V8 maps its own pages).
#include <malloc.h>
#include "compile_guard.h"
#include "registry.h"

namespace ibcc {

namespace {

Napi::Value HeapInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  // mallinfo2 walks every arena under its lock: microseconds for a few dozen.
  struct mallinfo2 m = mallinfo2();
  Napi::Object r = Napi::Object::New(env);
  r.Set("inUse", static_cast<double>(m.uordblks + m.hblkhd));
  r.Set("free", static_cast<double>(m.fordblks));
  r.Set("mmapped", static_cast<double>(m.hblkhd));
  r.Set("arenaBytes", static_cast<double>(m.arena));
  return r;
}

class ReturnWorker : public Napi::AsyncWorker {
 public:
  explicit ReturnWorker(Napi::Env env) : Napi::AsyncWorker(env, "ibcc.returnFreedMemory"), deferred_(env) {}
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override { ReturnMemoryNow(); }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }

 private:
  Napi::Promise::Deferred deferred_;
};

}  // namespace

static Registration reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("heapInfo", Napi::Function::New(env, HeapInfo));
  exports.Set("returnFreedMemory", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    auto* w = new ReturnWorker(info.Env());
    auto p = w->Promise();
    w->Queue();
    return p;
  }));
});

}  // namespace ibcc
