// Each .cc file of the addon adds its exports through a static Registration, so
// files can be added without touching a shared list.
#pragma once
#include <napi.h>
#include <functional>
#include <vector>

namespace ibcc {

using InitFn = std::function<void(Napi::Env, Napi::Object)>;

inline std::vector<InitFn>& Initializers() {
  static std::vector<InitFn> fns;
  return fns;
}

struct Registration {
  explicit Registration(InitFn fn) { Initializers().push_back(std::move(fn)); }
};

}  // namespace ibcc
