// The addon's entry point: runs every file's registered initializer.
#include "registry.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  for (auto& fn : ibcc::Initializers()) fn(env, exports);
  return exports;
}

NODE_API_MODULE(ibcc_native, Init)
