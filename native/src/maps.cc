// Map element access by fd. Values are passed with their full length, so
// per-CPU maps (possible CPUs * round8(value size)) need no special case here.
#include <bpf/bpf.h>
#include <errno.h>
#include <algorithm>
#include <cstring>
#include <vector>
#include "errors.h"
#include "registry.h"

namespace ibcc {

// mapLookup(fd, key, valueLen) -> Buffer | undefined
static Napi::Value Lookup(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgInt(info, 0, "fd");
  auto key = ArgBuffer(info, 1, "key");
  int len = ArgInt(info, 2, "valueLen");
  auto value = Napi::Buffer<uint8_t>::New(env, len);
  if (bpf_map_lookup_elem(fd, key.Data(), value.Data()) < 0) {
    if (errno == ENOENT) return env.Undefined();
    Throw(env, "map_lookup", errno, "");
  }
  return value;
}

// mapUpdate(fd, key, value, flags)
static Napi::Value Update(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgInt(info, 0, "fd");
  auto key = ArgBuffer(info, 1, "key");
  auto value = ArgBuffer(info, 2, "value");
  uint64_t flags = info.Length() > 3 && info[3].IsNumber() ? (uint64_t)info[3].As<Napi::Number>().Int64Value() : 0;
  if (bpf_map_update_elem(fd, key.Data(), value.Data(), flags) < 0) Throw(env, "map_update", errno, "");
  return env.Undefined();
}

// mapDelete(fd, key) -> boolean
static Napi::Value Delete(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgInt(info, 0, "fd");
  auto key = ArgBuffer(info, 1, "key");
  if (bpf_map_delete_elem(fd, key.Data()) < 0) {
    if (errno == ENOENT) return Napi::Boolean::New(env, false);
    Throw(env, "map_delete", errno, "");
  }
  return Napi::Boolean::New(env, true);
}

// mapNextKey(fd, key | null, keySize) -> Buffer | undefined
static Napi::Value NextKey(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgInt(info, 0, "fd");
  const void* prev = info[1].IsBuffer() ? info[1].As<Napi::Buffer<uint8_t>>().Data() : nullptr;
  int keySize = ArgInt(info, 2, "keySize");
  auto next = Napi::Buffer<uint8_t>::New(env, keySize);
  if (bpf_map_get_next_key(fd, prev, next.Data()) < 0) {
    if (errno == ENOENT) return env.Undefined();
    Throw(env, "map_get_next_key", errno, "");
  }
  return next;
}

static std::vector<uint8_t> AllKeys(Napi::Env env, int fd, size_t keySize) {
  std::vector<uint8_t> keys;
  std::vector<uint8_t> cur(keySize), next(keySize);
  const void* prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, next.data()) == 0) {
    keys.insert(keys.end(), next.begin(), next.end());
    std::swap(cur, next);
    prev = cur.data();
  }
  if (errno != ENOENT) Throw(env, "map_get_next_key", errno, "");
  return keys;
}

// mapKeys(fd, keySize) -> Buffer of every key, contiguous
static Napi::Value Keys(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto keys = AllKeys(env, ArgInt(info, 0, "fd"), ArgInt(info, 1, "keySize"));
  return Napi::Buffer<uint8_t>::Copy(env, keys.data(), keys.size());
}

// Every entry by BPF_MAP_LOOKUP_BATCH; false when the map type has no batch ops.
static bool BatchRead(int fd, size_t keySize, size_t valueLen, size_t maxEntries, std::vector<uint8_t>& keys,
                      std::vector<uint8_t>& values, size_t& count) {
  // Chunks of up to 64k entries; a hash bucket never holds more than that.
  size_t chunk = std::min<size_t>(std::max<size_t>(maxEntries, 1), 65536);
  std::vector<uint8_t> inTok(std::max<size_t>(keySize, 8)), outTok(inTok.size());
  bool first = true;
  LIBBPF_OPTS(bpf_map_batch_opts, opts);
  count = 0;
  for (;;) {
    keys.resize((count + chunk) * keySize);
    values.resize((count + chunk) * valueLen);
    __u32 n = (__u32)chunk;
    int rc = bpf_map_lookup_batch(fd, first ? nullptr : inTok.data(), outTok.data(), keys.data() + count * keySize,
                                  values.data() + count * valueLen, &n, &opts);
    int err = rc < 0 ? errno : 0;
    if (rc < 0 && err != ENOENT) {
      keys.clear();
      values.clear();
      count = 0;
      return false;
    }
    count += n;
    if (err == ENOENT) break;
    first = false;
    std::swap(inTok, outTok);
  }
  keys.resize(count * keySize);
  values.resize(count * valueLen);
  return true;
}

// mapReadAll(fd, keySize, valueLen, maxEntries, batch) -> { keys, values, count, batched }
static Napi::Value ReadAll(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgInt(info, 0, "fd");
  size_t keySize = ArgInt(info, 1, "keySize"), valueLen = ArgInt(info, 2, "valueLen");
  size_t maxEntries = (size_t)ArgInt(info, 3, "maxEntries");
  bool batch = info[4].ToBoolean();
  std::vector<uint8_t> keys, values;
  size_t count = 0;
  bool batched = batch && BatchRead(fd, keySize, valueLen, maxEntries, keys, values, count);
  if (!batched) {
    keys = AllKeys(env, fd, keySize);
    size_t n = keys.size() / keySize;
    values.resize(n * valueLen);
    for (size_t i = 0; i < n; i++) {
      if (bpf_map_lookup_elem(fd, keys.data() + i * keySize, values.data() + count * valueLen) < 0) {
        if (errno == ENOENT) continue;  // deleted while we walked
        Throw(env, "map_lookup", errno, "");
      }
      if (count != i) memmove(keys.data() + count * keySize, keys.data() + i * keySize, keySize);
      count++;
    }
    keys.resize(count * keySize);
    values.resize(count * valueLen);
  }
  Napi::Object r = Napi::Object::New(env);
  r.Set("keys", Napi::Buffer<uint8_t>::Copy(env, keys.data(), keys.size()));
  r.Set("values", Napi::Buffer<uint8_t>::Copy(env, values.data(), values.size()));
  r.Set("count", (double)count);
  r.Set("batched", batched);
  return r;
}

// mapClear(fd, keySize, valueLen, maxEntries, zero, batch): zero overwrites every
// value with zeros (arrays, whose keys always exist); otherwise every key is
// deleted, found and deleted in batches where the map allows.
static Napi::Value Clear(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgInt(info, 0, "fd");
  size_t keySize = ArgInt(info, 1, "keySize"), valueLen = ArgInt(info, 2, "valueLen");
  size_t maxEntries = (size_t)ArgInt(info, 3, "maxEntries");
  bool zero = info[4].ToBoolean(), batch = info[5].ToBoolean();
  std::vector<uint8_t> keys, values;
  size_t n = 0;
  if (!(batch && BatchRead(fd, keySize, valueLen, maxEntries, keys, values, n))) {
    keys = AllKeys(env, fd, keySize);
    n = keys.size() / keySize;
  }
  if (n == 0) return env.Undefined();
  if (zero) {
    std::vector<uint8_t> z(valueLen);
    for (size_t i = 0; i < n; i++)
      if (bpf_map_update_elem(fd, keys.data() + i * keySize, z.data(), 0) < 0) Throw(env, "map_update", errno, "");
    return env.Undefined();
  }
  LIBBPF_OPTS(bpf_map_batch_opts, opts);
  __u32 count = (__u32)n;
  if (batch && bpf_map_delete_batch(fd, keys.data(), &count, &opts) == 0) return env.Undefined();
  for (size_t i = 0; i < n; i++)
    if (bpf_map_delete_elem(fd, keys.data() + i * keySize) < 0 && errno != ENOENT)
      Throw(env, "map_delete", errno, "");
  return env.Undefined();
}

static Registration reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("mapLookup", Napi::Function::New(env, Lookup));
  exports.Set("mapUpdate", Napi::Function::New(env, Update));
  exports.Set("mapDelete", Napi::Function::New(env, Delete));
  exports.Set("mapNextKey", Napi::Function::New(env, NextKey));
  exports.Set("mapKeys", Napi::Function::New(env, Keys));
  exports.Set("mapReadAll", Napi::Function::New(env, ReadAll));
  exports.Set("mapClear", Napi::Function::New(env, Clear));
});

}  // namespace ibcc
