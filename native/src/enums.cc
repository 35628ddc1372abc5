// libbpf's names for program, map and attach types, indexed by enum value,
// so the TypeScript side speaks names and never hard-codes numbers.
#include <bpf/libbpf.h>
#include "registry.h"

namespace ibcc {

template <typename F>
static Napi::Array Names(Napi::Env env, F name) {
  Napi::Array a = Napi::Array::New(env);
  for (int i = 0; i < 256; i++) {
    const char* s = name(i);
    if (!s) break;
    a.Set((uint32_t)i, Napi::String::New(env, s));
  }
  return a;
}

static Registration reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("progTypeNames", Names(env, [](int i) { return libbpf_bpf_prog_type_str((enum bpf_prog_type)i); }));
  exports.Set("mapTypeNames", Names(env, [](int i) { return libbpf_bpf_map_type_str((enum bpf_map_type)i); }));
  exports.Set("attachTypeNames", Names(env, [](int i) { return libbpf_bpf_attach_type_str((enum bpf_attach_type)i); }));
  exports.Set("possibleCpus", Napi::Number::New(env, libbpf_num_possible_cpus()));
});

}  // namespace ibcc
