// Every BPF program and map loaded on the machine, whoever loaded it: walks the
// kernel's id spaces (BPF_PROG_GET_NEXT_ID / BPF_MAP_GET_NEXT_ID), opens each
// object by id and asks for its info, as bpftool and BCC's bps do.
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <bcc/bcc_common.h>

#include "errors.h"
#include "registry.h"
#include "resources.h"

namespace {

// Closes an fd at the end of its scope.
struct Fd {
  int fd;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

double Seconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

// The kernel accounts memlock per object and shows it only in fdinfo.
double Memlock(int fd) {
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
  FILE* f = fopen(path, "r");
  if (!f) return -1;
  char line[256];
  double v = -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "memlock: %lf", &v) == 1) break;
  fclose(f);
  return v;
}

std::string Hex(const unsigned char* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; i++) {
    s += d[p[i] >> 4];
    s += d[p[i] & 15];
  }
  return s;
}

// Kernel object names stop at 15 characters; the program's BTF keeps the whole
// function name, as bpftool shows it.
std::string FullName(int fd, const bpf_prog_info& info) {
  std::string name = info.name;
  if (name.size() < BPF_OBJ_NAME_LEN - 1 || !info.btf_id || info.nr_func_info == 0) return name;
  bpf_func_info finfo{};
  bpf_prog_info again{};
  again.nr_func_info = 1;
  again.func_info_rec_size = sizeof finfo;
  again.func_info = reinterpret_cast<uint64_t>(&finfo);
  uint32_t len = sizeof again;
  if (bpf_obj_get_info_by_fd(fd, &again, &len) != 0) return name;
  struct btf* btf = btf__load_from_kernel_by_id(info.btf_id);
  if (!btf) return name;
  const struct btf_type* t = btf__type_by_id(btf, finfo.type_id);
  if (t) {
    const char* full = btf__name_by_offset(btf, t->name_off);
    if (full && *full) name = full;
  }
  btf__free(btf);
  return name;
}

// run_cnt and run_time_ns grow only while statistics are on (kernel.bpf_stats_enabled,
// or a BPF_ENABLE_STATS fd held by any process); they are reported either way, and
// the caller says whether they are moving.
Napi::Value ProgramObject(Napi::Env env, uint32_t id) {
  Fd fd(bpf_prog_get_fd_by_id(id));
  if (fd.fd < 0) return env.Undefined();  // unloaded between the walk and the open
  bpf_prog_info info{};
  uint32_t len = sizeof info;
  if (bpf_obj_get_info_by_fd(fd.fd, &info, &len) != 0) return env.Undefined();
  std::vector<uint32_t> maps(info.nr_map_ids);
  if (!maps.empty()) {
    bpf_prog_info again{};
    again.nr_map_ids = maps.size();
    again.map_ids = reinterpret_cast<uint64_t>(maps.data());
    len = sizeof again;
    if (bpf_obj_get_info_by_fd(fd.fd, &again, &len) != 0) maps.clear();
    else maps.resize(std::min<size_t>(again.nr_map_ids, maps.size()));
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("id", info.id);
  o.Set("typeId", info.type);
  const char* type = libbpf_bpf_prog_type_str(static_cast<bpf_prog_type>(info.type));
  o.Set("type", type ? type : ("type " + std::to_string(info.type)).c_str());
  o.Set("name", FullName(fd.fd, info));
  o.Set("kernelName", info.name);
  o.Set("tag", Hex(info.tag, sizeof info.tag));
  Napi::Array ids = Napi::Array::New(env, maps.size());
  for (size_t i = 0; i < maps.size(); i++) ids.Set(i, maps[i]);
  o.Set("mapIds", ids);
  // load_time counts from boot; the wall clock at load is now minus the time since.
  double loaded = Seconds(CLOCK_REALTIME) - (Seconds(CLOCK_BOOTTIME) - info.load_time / 1e9);
  o.Set("loadTime", Napi::Date::New(env, loaded * 1000.0));
  o.Set("uid", info.created_by_uid);
  o.Set("gplCompatible", static_cast<bool>(info.gpl_compatible));
  o.Set("jitedSize", info.jited_prog_len);
  o.Set("xlatedSize", info.xlated_prog_len);
  o.Set("memlock", Memlock(fd.fd));
  o.Set("btfId", info.btf_id);
  o.Set("verifiedInsns", info.verified_insns);
  o.Set("runCount", static_cast<double>(info.run_cnt));
  o.Set("runTimeNs", static_cast<double>(info.run_time_ns));
  o.Set("recursionMisses", static_cast<double>(info.recursion_misses));
  return o;
}

Napi::Value MapObject(Napi::Env env, uint32_t id) {
  Fd fd(bpf_map_get_fd_by_id(id));
  if (fd.fd < 0) return env.Undefined();
  bpf_map_info info{};
  uint32_t len = sizeof info;
  if (bpf_obj_get_info_by_fd(fd.fd, &info, &len) != 0) return env.Undefined();
  Napi::Object o = Napi::Object::New(env);
  o.Set("id", info.id);
  o.Set("typeId", info.type);
  const char* type = libbpf_bpf_map_type_str(static_cast<bpf_map_type>(info.type));
  o.Set("type", type ? type : ("type " + std::to_string(info.type)).c_str());
  o.Set("name", info.name);
  o.Set("keySize", info.key_size);
  o.Set("valueSize", info.value_size);
  o.Set("maxEntries", info.max_entries);
  o.Set("flags", info.map_flags);
  o.Set("memlock", Memlock(fd.fd));
  o.Set("btfId", info.btf_id);
  return o;
}

// Link types newer than libbpf 1.1's names for them.
const char* LinkTypeName(uint32_t t) {
  static const char* newer[] = {"netfilter", "tcx", "uprobe_multi", "netkit", "sockmap"};
  const char* s = libbpf_bpf_link_type_str(static_cast<bpf_link_type>(t));
  if (s) return s;
  if (t >= 10 && t < 10 + sizeof newer / sizeof *newer) return newer[t - 10];
  return nullptr;
}

Napi::Value LinkObject(Napi::Env env, uint32_t id) {
  Fd fd(bpf_link_get_fd_by_id(id));
  if (fd.fd < 0) return env.Undefined();
  char tp[256] = {0};
  bpf_link_info info{};
  info.raw_tracepoint.tp_name = reinterpret_cast<uint64_t>(tp);
  info.raw_tracepoint.tp_name_len = sizeof tp;
  uint32_t len = sizeof info;
  // The tp_name fields are read back only for raw tracepoint links; ask once
  // without them for every other type, whose union the kernel fills itself.
  if (bpf_obj_get_info_by_fd(fd.fd, &info, &len) != 0) {
    info = bpf_link_info{};
    len = sizeof info;
    if (bpf_obj_get_info_by_fd(fd.fd, &info, &len) != 0) return env.Undefined();
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("id", info.id);
  o.Set("typeId", info.type);
  const char* type = LinkTypeName(info.type);
  o.Set("type", type ? type : ("type " + std::to_string(info.type)).c_str());
  o.Set("progId", info.prog_id);
  const auto* u = reinterpret_cast<const uint32_t*>(&info.raw_tracepoint);  // the union, as words
  std::string t = type ? type : "";
  if (t == "raw_tracepoint") {
    o.Set("target", tp);
  } else if (t == "tracing") {
    const char* at = libbpf_bpf_attach_type_str(static_cast<bpf_attach_type>(info.tracing.attach_type));
    o.Set("attachType", at ? at : std::to_string(info.tracing.attach_type).c_str());
    o.Set("targetBtfId", info.tracing.target_btf_id);
  } else if (t == "cgroup") {
    o.Set("cgroupId", static_cast<double>(info.cgroup.cgroup_id));
    const char* at = libbpf_bpf_attach_type_str(static_cast<bpf_attach_type>(info.cgroup.attach_type));
    o.Set("attachType", at ? at : std::to_string(info.cgroup.attach_type).c_str());
  } else if (t == "netns") {
    o.Set("netnsIno", info.netns.netns_ino);
  } else if (t == "xdp" || t == "tcx" || t == "netkit") {
    // All three start with the ifindex; tcx and netkit follow it with the attach type
    // (BPF_TCX_INGRESS 46, BPF_TCX_EGRESS 47, BPF_NETKIT_PRIMARY 48, BPF_NETKIT_PEER 49).
    o.Set("ifindex", u[0]);
    char name[IF_NAMESIZE] = {0};
    if (u[0] && if_indextoname(u[0], name)) o.Set("target", name);
    static const char* kinds[] = {"ingress", "egress", "primary", "peer"};
    if (t != "xdp") o.Set("direction", u[1] >= 46 && u[1] <= 49 ? kinds[u[1] - 46] : std::to_string(u[1]).c_str());
  }
  return o;
}

using NextId = int (*)(uint32_t, uint32_t*);

// All ids, or an error naming the failing call (EPERM without CAP_SYS_ADMIN).
std::vector<uint32_t> Ids(Napi::Env env, NextId next, const char* what) {
  std::vector<uint32_t> ids;
  uint32_t id = 0;
  for (;;) {
    if (next(id, &id) != 0) {
      if (errno == ENOENT) break;
      throw Napi::Error::New(env, std::string(what) + " failed: " + strerror(errno));
    }
    ids.push_back(id);
  }
  return ids;
}

Napi::Value ListPrograms(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  for (uint32_t id : Ids(env, bpf_prog_get_next_id, "bpf_prog_get_next_id")) {
    Napi::Value v = ProgramObject(env, id);
    if (!v.IsUndefined()) out.Set(n++, v);
  }
  return out;
}

Napi::Value Program(const Napi::CallbackInfo& info) {
  return ProgramObject(info.Env(), info[0].As<Napi::Number>().Uint32Value());
}

Napi::Value ListMaps(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  for (uint32_t id : Ids(env, bpf_map_get_next_id, "bpf_map_get_next_id")) {
    Napi::Value v = MapObject(env, id);
    if (!v.IsUndefined()) out.Set(n++, v);
  }
  return out;
}

Napi::Value Map(const Napi::CallbackInfo& info) {
  return MapObject(info.Env(), info[0].As<Napi::Number>().Uint32Value());
}

// perfEventFields(moduleHandle, mapName) -> ["pid#u32", "comm#char[16]", ...]: the
// struct BCC saw passed to perf_submit / ringbuf_output on that map, field by field.
Napi::Value PerfEventFields(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  void* m = ibcc::Resources::Of(env).Get(info[0].As<Napi::Number>().Int32Value(), "module");
  if (!m) throw Napi::Error::New(env, "perfEventFields: the module is closed");
  std::string name = info[1].As<Napi::String>().Utf8Value();
  size_t n = bpf_perf_event_fields(m, name.c_str());
  Napi::Array out = Napi::Array::New(env, n);
  for (size_t i = 0; i < n; i++) {
    const char* f = bpf_perf_event_field(m, name.c_str(), i);
    out.Set(static_cast<uint32_t>(i), f ? f : "");
  }
  return out;
}

Napi::Value ListLinks(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  for (uint32_t id : Ids(env, bpf_link_get_next_id, "bpf_link_get_next_id")) {
    Napi::Value v = LinkObject(env, id);
    if (!v.IsUndefined()) out.Set(n++, v);
  }
  return out;
}

// enableStats(): BPF_ENABLE_STATS for run time. While the returned fd is open the
// kernel counts every program's run_cnt and run_time_ns (a reference count, so it
// adds to kernel.bpf_stats_enabled and to other holders, and ends with the process).
Napi::Value EnableStats(const Napi::CallbackInfo& info) {
  int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
  if (fd < 0) ibcc::Throw(info.Env(), "enable_stats", errno, "BPF_ENABLE_STATS");
  return Napi::Number::New(info.Env(), fd);
}

// disableStats(fd): closes what enableStats returned.
Napi::Value DisableStats(const Napi::CallbackInfo& info) {
  close(ibcc::ArgInt(info, 0, "fd"));
  return info.Env().Undefined();
}

ibcc::Registration reg([](Napi::Env env, Napi::Object exports) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("listPrograms", Napi::Function::New(env, ListPrograms, "listPrograms"));
  o.Set("program", Napi::Function::New(env, Program, "program"));
  o.Set("listMaps", Napi::Function::New(env, ListMaps, "listMaps"));
  o.Set("map", Napi::Function::New(env, Map, "map"));
  o.Set("listLinks", Napi::Function::New(env, ListLinks, "listLinks"));
  o.Set("enableStats", Napi::Function::New(env, EnableStats, "enableStats"));
  o.Set("disableStats", Napi::Function::New(env, DisableStats, "disableStats"));
  exports.Set("introspect", o);
  exports.Set("perfEventFields", Napi::Function::New(env, PerfEventFields, "perfEventFields"));
});

}  // namespace
