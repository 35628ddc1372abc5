// The process's malloc heap as %memory shows it: what is in use and what
// glibc holds free (returnFreedMemory, in module.cc, gives the free part
// back). V8's heaps are not in these figures (V8 maps its own pages).
#include <malloc.h>
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

}  // namespace

static Registration reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("heapInfo", Napi::Function::New(env, HeapInfo));
});

}  // namespace ibcc
