// Map element access by fd. Values are passed with their full length, so
// per-CPU maps (possible CPUs * round8(value size)) need no special case here.
#include <bpf/bpf.h>
#include <errno.h>
#include <algorithm>
#include <cstdint>
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

// Where batched reads put entries: room for `capacity` of them, grown on demand.
struct EntrySpace {
  virtual ~EntrySpace() = default;
  virtual uint8_t* Keys() = 0;
  virtual uint8_t* Values() = 0;
  virtual size_t Capacity() = 0;
  // Keeps the first `used` entries and makes room for at least `capacity`.
  virtual void Grow(size_t used, size_t capacity) = 0;
};

struct VectorSpace : EntrySpace {
  size_t keySize, valueLen;
  std::vector<uint8_t> keys, values;
  VectorSpace(size_t k, size_t v) : keySize(k), valueLen(v) {}
  uint8_t* Keys() override { return keys.data(); }
  uint8_t* Values() override { return values.data(); }
  size_t Capacity() override { return keySize ? keys.size() / keySize : 0; }
  void Grow(size_t, size_t capacity) override {
    keys.resize(capacity * keySize);
    values.resize(capacity * valueLen);
  }
};

// Node Buffers the syscall writes into directly: no copy on the way to JS.
struct BufferSpace : EntrySpace {
  Napi::Env env;
  size_t keySize, valueLen, capacity = 0;
  Napi::Buffer<uint8_t> keys, values;
  BufferSpace(Napi::Env e, size_t k, size_t v) : env(e), keySize(k), valueLen(v) {}
  uint8_t* Keys() override { return keys.Data(); }
  uint8_t* Values() override { return values.Data(); }
  size_t Capacity() override { return capacity; }
  void Grow(size_t used, size_t cap) override {
    auto k = Napi::Buffer<uint8_t>::New(env, cap * keySize);
    auto v = Napi::Buffer<uint8_t>::New(env, cap * valueLen);
    if (used) {
      memcpy(k.Data(), keys.Data(), used * keySize);
      memcpy(v.Data(), values.Data(), used * valueLen);
    }
    keys = k;
    values = v;
    capacity = cap;
  }
};

// Room asked for up front: every entry the map can hold (one syscall, as BCC's
// items_lookup_batch does), unless that is more than this many bytes; a map
// that holds more than that grows its space as it is read.
static const size_t kFirstReadBytes = 256u << 20;

// Every entry by BPF_MAP_LOOKUP_BATCH (or, with del, BPF_MAP_LOOKUP_AND_DELETE_BATCH),
// as few calls as the space allows; false when the map type has no batch ops
// (nothing was deleted then). Returns the entry count in count.
static bool BatchRead(int fd, size_t keySize, size_t valueLen, size_t maxEntries, EntrySpace& space, size_t& count,
                      bool del = false) {
  size_t entry = keySize + valueLen;
  size_t first = std::max<size_t>(1, std::min(maxEntries, kFirstReadBytes / std::max<size_t>(entry, 1)));
  space.Grow(0, first);
  std::vector<uint8_t> inTok(std::max<size_t>(keySize, 8)), outTok(inTok.size());
  bool started = false;
  LIBBPF_OPTS(bpf_map_batch_opts, opts);
  count = 0;
  for (;;) {
    // A hash bucket is returned whole or not at all (ENOSPC): keep some room.
    if (space.Capacity() - count < 64) space.Grow(count, space.Capacity() * 2);
    __u32 n = (__u32)std::min<size_t>(space.Capacity() - count, UINT32_MAX);
    auto batch = del ? bpf_map_lookup_and_delete_batch : bpf_map_lookup_batch;
    int rc = batch(fd, started ? inTok.data() : nullptr, outTok.data(), space.Keys() + count * keySize,
                   space.Values() + count * valueLen, &n, &opts);
    int err = rc < 0 ? errno : 0;
    if (rc < 0 && err == ENOSPC && n == 0) {
      space.Grow(count, space.Capacity() * 2);
      continue;
    }
    if (rc < 0 && err != ENOENT) {
      // Entries a delete batch already took are the caller's: keep them.
      if (del && count > 0) return true;
      count = 0;
      return false;
    }
    count += n;
    // A map never holds more than max_entries: a full one is read once it
    // fills the space, without growing it for a last call that finds nothing.
    if (err == ENOENT || count >= maxEntries) break;
    started = true;
    std::swap(inTok, outTok);
  }
  return true;
}

// mapReadAll(fd, keySize, valueLen, maxEntries, batch) -> { keys, values, count, batched }:
// keys and values may be longer than count entries (the caller trims them).
static Napi::Value ReadAll(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgInt(info, 0, "fd");
  size_t keySize = ArgInt(info, 1, "keySize"), valueLen = ArgInt(info, 2, "valueLen");
  size_t maxEntries = (size_t)ArgInt(info, 3, "maxEntries");
  bool batch = info[4].ToBoolean();
  BufferSpace space(env, keySize, valueLen);
  size_t count = 0;
  bool batched = batch && BatchRead(fd, keySize, valueLen, maxEntries, space, count);
  if (!batched) {
    std::vector<uint8_t> keys = AllKeys(env, fd, keySize);
    size_t n = keySize ? keys.size() / keySize : 0;
    space.Grow(0, n);
    count = 0;
    for (size_t i = 0; i < n; i++) {
      if (bpf_map_lookup_elem(fd, keys.data() + i * keySize, space.Values() + count * valueLen) < 0) {
        if (errno == ENOENT) continue;  // deleted while we walked
        Throw(env, "map_lookup", errno, "");
      }
      memcpy(space.Keys() + count * keySize, keys.data() + i * keySize, keySize);
      count++;
    }
  }
  Napi::Object r = Napi::Object::New(env);
  r.Set("keys", space.keys);
  r.Set("values", space.values);
  r.Set("count", (double)count);
  r.Set("batched", batched);
  return r;
}

// mapTakeAll(fd, keySize, valueLen, maxEntries, batch) -> { keys, values, count, batched }:
// every entry read and deleted, by BPF_MAP_LOOKUP_AND_DELETE_BATCH where the map
// has it. Otherwise key by key with BPF_MAP_LOOKUP_AND_DELETE_ELEM, or, where the
// map lacks that too, a lookup then a delete: an update between the two is lost.
static Napi::Value TakeAll(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgInt(info, 0, "fd");
  size_t keySize = ArgInt(info, 1, "keySize"), valueLen = ArgInt(info, 2, "valueLen");
  size_t maxEntries = (size_t)ArgInt(info, 3, "maxEntries");
  bool batch = info[4].ToBoolean();
  BufferSpace space(env, keySize, valueLen);
  size_t count = 0;
  bool batched = batch && BatchRead(fd, keySize, valueLen, maxEntries, space, count, true);
  bool perKey = true;
  if (!batched) {
    std::vector<uint8_t> keys = AllKeys(env, fd, keySize);
    size_t n = keySize ? keys.size() / keySize : 0;
    space.Grow(0, n);
    count = 0;
    for (size_t i = 0; i < n; i++) {
      const uint8_t* key = keys.data() + i * keySize;
      uint8_t* value = space.Values() + count * valueLen;
      int rc = perKey ? bpf_map_lookup_and_delete_elem(fd, key, value) : -1;
      if (rc < 0 && perKey && errno != ENOENT) perKey = false;  // not for this map type
      if (rc < 0 && !perKey) {
        rc = bpf_map_lookup_elem(fd, key, value);
        if (rc == 0 && bpf_map_delete_elem(fd, key) < 0 && errno != ENOENT) Throw(env, "map_delete", errno, "");
      }
      if (rc < 0) {
        if (errno == ENOENT) continue;  // deleted while we walked
        Throw(env, "map_lookup_and_delete", errno, "");
      }
      memcpy(space.Keys() + count * keySize, key, keySize);
      count++;
    }
  }
  Napi::Object r = Napi::Object::New(env);
  r.Set("keys", space.keys);
  r.Set("values", space.values);
  r.Set("count", (double)count);
  r.Set("batched", batched);
  r.Set("atomic", batched || perKey);
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
  VectorSpace space(keySize, valueLen);
  size_t n = 0;
  std::vector<uint8_t> keys;
  if (batch && BatchRead(fd, keySize, valueLen, maxEntries, space, n)) keys.swap(space.keys);
  else {
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
  exports.Set("mapTakeAll", Napi::Function::New(env, TakeAll));
});

}  // namespace ibcc
