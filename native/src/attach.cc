// Attaching a loaded program to its hook. Every function returns
// { handle, fds }; releasing the handle detaches.
#include <bcc/bcc_syms.h>
#include <bcc/libbpf.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cstring>
#include <string>
#include <vector>
#include "errors.h"
#include "registry.h"
#include "resources.h"
#include "stderr_capture.h"

namespace ibcc {

// Closing a perf event fd waits for an RCU grace period in the kernel (~50 ms
// here), a raw tracepoint's a few ms: those detach in the background. Links of
// network hooks stay synchronous, so the interface is free again on return.
static bool SlowToClose(const char* kind) {
  static const char* slow[] = {"tracepoint", "raw_tracepoint", "kprobe", "kretprobe", "uprobe", "uretprobe", "perf_event"};
  for (const char* k : slow)
    if (strcmp(kind, k) == 0) return true;
  return false;
}

static Napi::Object Attached(Napi::Env env, const char* kind, std::vector<int> fds,
                             std::function<void()> close) {
  Napi::Object r = Napi::Object::New(env);
  auto& res = Resources::Of(env);
  r.Set("handle", SlowToClose(kind) ? res.AddBackground(kind, std::move(close)) : res.Add(kind, std::move(close)));
  Napi::Array a = Napi::Array::New(env, fds.size());
  for (size_t i = 0; i < fds.size(); i++) a.Set((uint32_t)i, fds[i]);
  r.Set("fds", a);
  return r;
}

static bool Exists(const char* path) {
  struct stat st;
  return stat(path, &st) == 0;
}

// attachTracepoint(progFd, category, event)
static Napi::Value AttachTracepoint(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int prog = ArgInt(info, 0, "progFd");
  std::string cat = ArgString(info, 1, "category"), ev = ArgString(info, 2, "event");
  StderrCapture capture(false);
  int fd = bpf_attach_tracepoint(prog, cat.c_str(), ev.c_str());
  int err = errno;
  std::string log = capture.Finish();
  if (fd < 0) Throw(env, "attach_tracepoint", err, cat + ":" + ev, log);
  return Attached(env, "tracepoint", {fd}, [fd] { bpf_close_perf_event_fd(fd); });
}

// attachRawTracepoint(progFd, event)
static Napi::Value AttachRawTracepoint(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int prog = ArgInt(info, 0, "progFd");
  std::string ev = ArgString(info, 1, "event");
  int fd = bpf_raw_tracepoint_open(ev.c_str(), prog);
  if (fd < 0) Throw(env, "attach_raw_tracepoint", errno, ev);
  return Attached(env, "raw_tracepoint", {fd}, [fd] { close(fd); });
}

// attachKprobe(progFd, ret, evName, fn, offset, maxActive)
static Napi::Value AttachKprobe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int prog = ArgInt(info, 0, "progFd");
  bool ret = info[1].ToBoolean();
  std::string evName = ArgString(info, 2, "evName"), fn = ArgString(info, 3, "fn");
  uint64_t offset = (uint64_t)info[4].ToNumber().Int64Value();
  int maxActive = ArgInt(info, 5, "maxActive");
  StderrCapture capture(false);
  int fd = bpf_attach_kprobe(prog, ret ? BPF_PROBE_RETURN : BPF_PROBE_ENTRY, evName.c_str(), fn.c_str(),
                             offset, maxActive);
  int err = errno;
  std::string log = capture.Finish();
  if (fd < 0) {
    bool noKprobes = !Exists("/sys/bus/event_source/devices/kprobe") &&
                     !Exists("/sys/kernel/tracing/kprobe_events") &&
                     !Exists("/sys/kernel/debug/tracing/kprobe_events");
    if (noKprobes)
      Throw(env, "attach_kprobe", EOPNOTSUPP,
            fn + ": this kernel was built without kprobes (CONFIG_KPROBES): there is no kprobe PMU and "
                 "no kprobe_events; use a tracepoint (TRACEPOINT_PROBE) or a raw tracepoint "
                 "(RAW_TRACEPOINT_PROBE) instead");
    Throw(env, "attach_kprobe", err, fn, log);
  }
  return Attached(env, ret ? "kretprobe" : "kprobe", {fd}, [fd, evName] {
    bpf_close_perf_event_fd(fd);
    StderrCapture quiet(false);
    bpf_detach_kprobe(evName.c_str());
  });
}

// resolveSymbol(binary, symbol, address, pid) -> { path, offset }
static Napi::Value ResolveSymbol(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string binary = ArgString(info, 0, "binary");
  std::string sym = info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
  uint64_t addr = info[2].IsNumber() ? (uint64_t)info[2].As<Napi::Number>().Int64Value() : 0;
  int pid = info[3].IsNumber() ? info[3].As<Napi::Number>().Int32Value() : -1;
  struct bcc_symbol out = {};
  struct bcc_symbol_option opt = {};
  opt.use_debug_file = 1;
  opt.check_debug_file_crc = 1;
  opt.lazy_symbolize = 1;
  opt.use_symbol_type = (1 << 2) | (1 << 10);  // STT_FUNC and STT_GNU_IFUNC, as BCC's attach_uprobe does
  StderrCapture capture(false);
  int rc = bcc_resolve_symname(binary.c_str(), sym.empty() ? nullptr : sym.c_str(), addr, pid, &opt, &out);
  std::string log = capture.Finish();
  if (rc < 0) {
    // libbcc gives no errno here: the binary or the symbol is not there.
    Napi::Error e = MakeError(env, "resolve_symbol", 0,
                              sym.empty() ? binary + ": cannot read the binary"
                                          : binary + ": no symbol " + sym + " in the binary (or the binary is missing)",
                              log);
    e.Set("errno", Napi::Number::New(env, ENOENT));
    e.Set("code", Napi::String::New(env, "ENOENT"));
    throw e;
  }
  Napi::Object r = Napi::Object::New(env);
  r.Set("path", out.module ? out.module : binary.c_str());
  r.Set("offset", (double)out.offset);
  if (out.module && out.module[0]) free((void*)out.module);
  return r;
}

// attachUprobe(progFd, ret, evName, path, offset, pid[, refCtrOffset]): a USDT probe's
// semaphore is its file offset as refCtrOffset, which the kernel raises while attached.
static Napi::Value AttachUprobe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int prog = ArgInt(info, 0, "progFd");
  bool ret = info[1].ToBoolean();
  std::string evName = ArgString(info, 2, "evName"), path = ArgString(info, 3, "path");
  uint64_t offset = (uint64_t)info[4].ToNumber().Int64Value();
  int pid = ArgInt(info, 5, "pid");
  uint32_t refCtr = info.Length() > 6 && info[6].IsNumber() ? (uint32_t)info[6].As<Napi::Number>().Int64Value() : 0;
  StderrCapture capture(false);
  int fd = bpf_attach_uprobe(prog, ret ? BPF_PROBE_RETURN : BPF_PROBE_ENTRY, evName.c_str(), path.c_str(),
                             offset, pid, refCtr);
  int err = errno;
  // libbcc falls back to a tracefs event when the uprobe PMU refuses, and
  // leaves that event behind when perf_event_open refuses it too.
  if (fd < 0) bpf_detach_uprobe(evName.c_str());
  std::string log = capture.Finish();
  if (fd < 0) Throw(env, "attach_uprobe", err, path, log);
  return Attached(env, ret ? "uretprobe" : "uprobe", {fd}, [fd, evName] {
    bpf_close_perf_event_fd(fd);
    StderrCapture quiet(false);
    bpf_detach_uprobe(evName.c_str());
  });
}

// attachPerfEvent(progFd, type, config, samplePeriod, sampleFreq, pid, cpus[])
static Napi::Value AttachPerfEvent(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int prog = ArgInt(info, 0, "progFd");
  uint32_t type = (uint32_t)ArgInt(info, 1, "type"), config = (uint32_t)ArgInt(info, 2, "config");
  uint64_t period = (uint64_t)info[3].ToNumber().Int64Value(), freq = (uint64_t)info[4].ToNumber().Int64Value();
  int pid = ArgInt(info, 5, "pid");
  Napi::Array cpus = info[6].As<Napi::Array>();
  std::vector<int> fds;
  for (uint32_t i = 0; i < cpus.Length(); i++) {
    int cpu = cpus.Get(i).As<Napi::Number>().Int32Value();
    StderrCapture capture(false);
    int fd = bpf_attach_perf_event(prog, type, config, period, freq, pid, cpu, -1);
    int err = errno;
    std::string log = capture.Finish();
    if (fd < 0) {
      for (int f : fds) bpf_close_perf_event_fd(f);
      Throw(env, "attach_perf_event", err, "type " + std::to_string(type) + " config " + std::to_string(config) +
                 " cpu " + std::to_string(cpu), log);
    }
    fds.push_back(fd);
  }
  return Attached(env, "perf_event", fds, [fds] {
    for (int f : fds) bpf_close_perf_event_fd(f);
  });
}

// attachSocketFilter(progFd, ifname): a raw socket on the interface, filtered by the program.
static Napi::Value AttachSocketFilter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int prog = ArgInt(info, 0, "progFd");
  std::string ifname = ArgString(info, 1, "ifname");
  StderrCapture capture(false);
  int sock = bpf_open_raw_sock(ifname.c_str());
  int err = errno;
  std::string log = capture.Finish();
  if (sock < 0) Throw(env, "open_raw_sock", err, ifname, log);
  if (bpf_attach_socket(sock, prog) < 0) {
    err = errno;
    close(sock);
    Throw(env, "attach_socket", err, ifname);
  }
  return Attached(env, "socket_filter", {sock}, [sock] { close(sock); });
}

static int IfIndex(Napi::Env env, const std::string& ifname, const char* op) {
  unsigned idx = if_nametoindex(ifname.c_str());
  if (!idx) Throw(env, op, errno, ifname);
  return (int)idx;
}

// attachXdp(progFd, ifname, flags): a BPF link, so the program goes when its last fd does.
static Napi::Value AttachXdp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int prog = ArgInt(info, 0, "progFd");
  std::string ifname = ArgString(info, 1, "ifname");
  int flags = ArgInt(info, 2, "flags");
  int ifindex = IfIndex(env, ifname, "attach_xdp");
  LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = (__u32)flags);
  int fd = bpf_link_create(prog, ifindex, BPF_XDP, &opts);
  if (fd < 0) Throw(env, "attach_xdp", errno, ifname);
  return Attached(env, "xdp", {fd}, [fd] { close(fd); });
}

// attachTcx(progFd, ifname, attachType): BPF_LINK_CREATE with BPF_TCX_INGRESS (46) or
// BPF_TCX_EGRESS (47). libbpf 1.1 predates tcx, so the attr is filled by hand;
// the 6.1 uapi layout of link_create (prog_fd, target_ifindex, attach_type, flags) is what tcx reads.
static Napi::Value AttachTcx(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int prog = ArgInt(info, 0, "progFd");
  std::string ifname = ArgString(info, 1, "ifname");
  int type = ArgInt(info, 2, "attachType");
  int ifindex = IfIndex(env, ifname, "attach_tc");
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.link_create.prog_fd = prog;
  attr.link_create.target_ifindex = ifindex;
  attr.link_create.attach_type = type;
  int fd = (int)syscall(__NR_bpf, BPF_LINK_CREATE, &attr, sizeof attr);
  if (fd < 0) Throw(env, "attach_tc", errno, ifname + " (tcx link)");
  return Attached(env, "tc", {fd}, [fd] { close(fd); });
}

// attachTracing(progFd): fentry/fexit/LSM programs, through raw_tracepoint_open with no name.
static Napi::Value AttachTracing(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int prog = ArgInt(info, 0, "progFd");
  int fd = bpf_raw_tracepoint_open(nullptr, prog);
  if (fd < 0) Throw(env, "attach_tracing", errno, "");
  return Attached(env, "tracing", {fd}, [fd] { close(fd); });
}

static Registration reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("attachTracepoint", Napi::Function::New(env, AttachTracepoint));
  exports.Set("attachRawTracepoint", Napi::Function::New(env, AttachRawTracepoint));
  exports.Set("attachKprobe", Napi::Function::New(env, AttachKprobe));
  exports.Set("resolveSymbol", Napi::Function::New(env, ResolveSymbol));
  exports.Set("attachUprobe", Napi::Function::New(env, AttachUprobe));
  exports.Set("attachPerfEvent", Napi::Function::New(env, AttachPerfEvent));
  exports.Set("attachSocketFilter", Napi::Function::New(env, AttachSocketFilter));
  exports.Set("attachXdp", Napi::Function::New(env, AttachXdp));
  exports.Set("attachTcx", Napi::Function::New(env, AttachTcx));
  exports.Set("attachTracing", Napi::Function::New(env, AttachTracing));
});

}  // namespace ibcc
