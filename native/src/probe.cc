// Feature probes: asks the kernel what it accepts by loading the smallest
// possible program or creating the smallest map of each kind, and keeps the
// errno and verifier log of every refusal so the reason can be shown.
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <limits>
#include <string>
#include <vector>

#include "registry.h"

namespace {

struct Fd {
  int fd;
  explicit Fd(int f = -1) : fd(f) {}
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

// r0 = 0; exit: valid for every program type that takes an int return.
const bpf_insn kReturnZero[] = {
    {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0},
    {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
};

std::string ErrnoName(int e) {
  const char* n = strerrorname_np(e);
  return n ? n : ("E" + std::to_string(e));
}

Napi::Object Outcome(Napi::Env env, bool ok, int err, const std::string& stage, const std::string& log = "") {
  Napi::Object o = Napi::Object::New(env);
  o.Set("supported", ok);
  if (!ok) {
    o.Set("stage", stage);
    o.Set("errno", err);
    o.Set("code", ErrnoName(err));
    o.Set("message", strerror(err));
  }
  if (!log.empty()) o.Set("log", log);
  return o;
}

template <typename T, typename F>
bool EnumByName(const std::string& name, F str, T* out) {
  for (int i = 0; i < 256; i++) {
    const char* s = str(static_cast<T>(i));
    if (s && name == s) {
      *out = static_cast<T>(i);
      return true;
    }
  }
  return false;
}

// progType(name) -> { supported, errno?, code?, message? } through libbpf's own probe.
Napi::Value ProgType(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = info[0].As<Napi::String>().Utf8Value();
  bpf_prog_type t;
  if (!EnumByName(name, libbpf_bpf_prog_type_str, &t)) return Outcome(env, false, EINVAL, "name");
  int rc = libbpf_probe_bpf_prog_type(t, nullptr);
  if (rc == 1) return Outcome(env, true, 0, "load");
  return Outcome(env, false, rc < 0 ? -rc : EINVAL, "load");
}

Napi::Value MapType(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = info[0].As<Napi::String>().Utf8Value();
  bpf_map_type t;
  if (!EnumByName(name, libbpf_bpf_map_type_str, &t)) return Outcome(env, false, EINVAL, "name");
  int rc = libbpf_probe_bpf_map_type(t, nullptr);
  if (rc == 1) return Outcome(env, true, 0, "create");
  return Outcome(env, false, rc < 0 ? -rc : EINVAL, "create");
}

// btfIds([names]) -> ids in vmlinux's BTF (-1 where absent), from one parse of it.
Napi::Value BtfIds(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array names = info[0].As<Napi::Array>();
  Napi::Array out = Napi::Array::New(env, names.Length());
  errno = 0;
  struct btf* vmlinux = btf__load_vmlinux_btf();
  int err = errno ? errno : ENOENT;
  for (uint32_t i = 0; i < names.Length(); i++) {
    std::string name = names.Get(i).As<Napi::String>().Utf8Value();
    out.Set(i, vmlinux ? btf__find_by_name_kind(vmlinux, name.c_str(), BTF_KIND_FUNC) : -err);
  }
  if (vmlinux) btf__free(vmlinux);
  return out;
}

// btfTarget(kind, btfId): loads a fentry / fexit / lsm program against a vmlinux
// function and attaches it for a moment. The program returns 0, so while
// attached it changes nothing (an LSM hook returning 0 allows).
Napi::Value BtfTarget(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string kind = info[0].As<Napi::String>().Utf8Value();
  int id = info[1].As<Napi::Number>().Int32Value();
  LIBBPF_OPTS(bpf_prog_load_opts, opts);
  bpf_prog_type type = BPF_PROG_TYPE_TRACING;
  if (kind == "fentry") opts.expected_attach_type = BPF_TRACE_FENTRY;
  else if (kind == "fexit") opts.expected_attach_type = BPF_TRACE_FEXIT;
  else if (kind == "lsm") {
    type = BPF_PROG_TYPE_LSM;
    opts.expected_attach_type = BPF_LSM_MAC;
  } else
    throw Napi::TypeError::New(env, "btfTarget: kind must be fentry, fexit or lsm");
  opts.attach_btf_id = id;
  std::vector<char> log(16384);
  opts.log_buf = log.data();
  opts.log_size = log.size();
  opts.log_level = 1;
  Fd prog(bpf_prog_load(type, "ibcc_probe", "GPL", kReturnZero, 2, &opts));
  if (prog.fd < 0) {
    int err = errno;
    return Outcome(env, false, err, "load", log.data());
  }
  Fd link(bpf_raw_tracepoint_open(nullptr, prog.fd));
  if (link.fd < 0) return Outcome(env, false, errno, "attach");
  Napi::Object o = Outcome(env, true, 0, "attach");
  o.Set("btfId", id);
  return o;
}

// batchOps() -> whether BPF_MAP_LOOKUP_BATCH works (an empty hash answers ENOENT).
Napi::Value BatchOps(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Fd map(bpf_map_create(BPF_MAP_TYPE_HASH, "ibcc_probe", 4, 4, 4, nullptr));
  if (map.fd < 0) return Outcome(env, false, errno, "create");
  uint32_t keys[4], values[4], count = 4, out = 0;
  int rc = bpf_map_lookup_batch(map.fd, nullptr, &out, keys, values, &count, nullptr);
  if (rc == 0 || errno == ENOENT) return Outcome(env, true, 0, "lookup_batch");
  return Outcome(env, false, errno, "lookup_batch");
}

double Limit(rlim_t v) { return v == RLIM_INFINITY ? std::numeric_limits<double>::infinity() : static_cast<double>(v); }

Napi::Value Memlock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  rlimit r{};
  getrlimit(RLIMIT_MEMLOCK, &r);
  Napi::Object o = Napi::Object::New(env);
  o.Set("soft", Limit(r.rlim_cur));
  o.Set("hard", Limit(r.rlim_max));
  return o;
}

ibcc::Registration reg([](Napi::Env env, Napi::Object exports) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("progType", Napi::Function::New(env, ProgType, "progType"));
  o.Set("mapType", Napi::Function::New(env, MapType, "mapType"));
  o.Set("btfIds", Napi::Function::New(env, BtfIds, "btfIds"));
  o.Set("btfTarget", Napi::Function::New(env, BtfTarget, "btfTarget"));
  o.Set("batchOps", Napi::Function::New(env, BatchOps, "batchOps"));
  o.Set("memlock", Napi::Function::New(env, Memlock, "memlock"));
  exports.Set("probe", o);
});

}  // namespace
