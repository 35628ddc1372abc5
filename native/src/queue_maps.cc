// Queue and stack maps (BPF_MAP_TYPE_QUEUE / _STACK) have no keys: push is an
// update with a NULL key, pop a lookup-and-delete with a NULL key, peek a
// lookup with a NULL key.
#include <bpf/bpf.h>
#include <errno.h>
#include <cstdint>
#include "errors.h"
#include "registry.h"

namespace ibcc {

// mapPush(fd, value, flags): flags BPF_EXIST (2) pushes out the oldest value when full.
static Napi::Value Push(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgInt(info, 0, "fd");
  auto value = ArgBuffer(info, 1, "value");
  uint64_t flags = info.Length() > 2 && info[2].IsNumber() ? (uint64_t)info[2].As<Napi::Number>().Int64Value() : 0;
  if (bpf_map_update_elem(fd, nullptr, value.Data(), flags) < 0) Throw(env, "map_push", errno, "");
  return env.Undefined();
}

// Pop and peek: undefined when the map is empty.
static Napi::Value Take(const Napi::CallbackInfo& info, bool remove) {
  Napi::Env env = info.Env();
  int fd = ArgInt(info, 0, "fd");
  int len = ArgInt(info, 1, "valueLen");
  auto value = Napi::Buffer<uint8_t>::New(env, len);
  int rc = remove ? bpf_map_lookup_and_delete_elem(fd, nullptr, value.Data()) : bpf_map_lookup_elem(fd, nullptr, value.Data());
  if (rc < 0) {
    if (errno == ENOENT) return env.Undefined();
    Throw(env, remove ? "map_pop" : "map_peek", errno, "");
  }
  return value;
}

static Napi::Value Pop(const Napi::CallbackInfo& info) { return Take(info, true); }
static Napi::Value Peek(const Napi::CallbackInfo& info) { return Take(info, false); }

static Registration reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("mapPush", Napi::Function::New(env, Push));
  exports.Set("mapPop", Napi::Function::New(env, Pop));
  exports.Set("mapPeek", Napi::Function::New(env, Peek));
});

}  // namespace ibcc
