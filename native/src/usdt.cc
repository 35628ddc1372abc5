// USDT probes through libbcc's USDT contexts. openUsdt(targets) reads the
// probes' ELF notes (off the JS thread: a pid's every mapped object is read),
// enables the probes asked for, and hands back the argument-reading C that must
// be compiled in front of the program's text (what bpf_usdt_readarg calls), and
// every location a uprobe goes to. The contexts stay open under one handle
// until the program closes: a pid context keeps the probes' semaphores raised
// in that process, and lowers them on close.
#include <bcc/bcc_usdt.h>
#include <errno.h>
#include <sys/stat.h>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <vector>
#include "errors.h"
#include "registry.h"
#include "resources.h"
#include "stderr_capture.h"

namespace ibcc {

struct UsdtTarget {
  std::string binary;  // empty with a pid
  int pid = -1;
  std::string provider;  // empty: any provider
  std::string probe, fn;
};

struct UsdtProbeInfo {
  std::string provider, name;
  uint64_t semaphore = 0, semaphoreOffset = 0;
  int locations = 0, arguments = 0;
};

struct UsdtLocation {
  std::string fn, provider, probe, path;
  uint64_t address = 0, semaphoreOffset = 0;
  int pid = -1;
};

// bcc_usdt_foreach's callback has no user pointer.
static thread_local std::vector<UsdtProbeInfo>* collecting = nullptr;

static std::vector<UsdtProbeInfo> ProbesOf(void* ctx) {
  std::vector<UsdtProbeInfo> out;
  collecting = &out;
  bcc_usdt_foreach(ctx, [](struct bcc_usdt* u) {
    collecting->push_back({u->provider, u->name, u->semaphore, u->semaphore_offset, u->num_locations, u->num_arguments});
  });
  collecting = nullptr;
  return out;
}

static std::string Where(const UsdtTarget& t) {
  return t.pid >= 0 ? "process " + std::to_string(t.pid) : t.binary;
}

static std::string ProbeList(const std::vector<UsdtProbeInfo>& probes) {
  if (probes.empty()) return "it has no USDT probes (no .note.stapsdt ELF notes)";
  std::string s = "its probes are ";
  for (size_t i = 0; i < probes.size(); i++) s += (i ? ", " : "") + probes[i].provider + ":" + probes[i].name;
  return s;
}

// An argument's C type, as libbcc's own generator names it (a negative size is signed).
static std::string CType(int size) {
  return std::string(size < 0 ? "" : "u") + "int" + std::to_string(std::abs(size) * 8) + "_t";
}

static bool SameArgument(const bcc_usdt_argument& a, const bcc_usdt_argument& b) {
  auto eq = [](const char* x, const char* y) { return (!x && !y) || (x && y && std::string(x) == y); };
  return a.size == b.size && a.valid == b.valid && a.constant == b.constant && a.deref_offset == b.deref_offset &&
         eq(a.valid & BCC_USDT_ARGUMENT_BASE_REGISTER_NAME ? a.base_register_name : nullptr,
            b.valid & BCC_USDT_ARGUMENT_BASE_REGISTER_NAME ? b.base_register_name : nullptr) &&
         eq(a.valid & BCC_USDT_ARGUMENT_INDEX_REGISTER_NAME ? a.index_register_name : nullptr,
            b.valid & BCC_USDT_ARGUMENT_INDEX_REGISTER_NAME ? b.index_register_name : nullptr) &&
         a.scale == b.scale;
}

// libbcc enables a semaphore-guarded probe only in a pid context (it raises the
// semaphore through /proc/PID/mem), so for a binary's probe the argument readers
// are written here, the way libbcc writes them, from the arguments it parsed; the
// kernel raises the semaphore (the uprobe's ref_ctr_offset). Returns "" and sets
// why when an argument needs a process to be read (a global's address).
static std::string ArgumentReaders(void* ctx, const UsdtProbeInfo& p, const std::string& fn, std::string* why) {
  std::string out;
  for (int n = 0; n < p.arguments; n++) {
    bcc_usdt_argument a = {}, other = {};
    if (bcc_usdt_get_argument(ctx, p.provider.c_str(), p.name.c_str(), 0, n, &a) != 0) {
      *why = "cannot read argument " + std::to_string(n + 1);
      return "";
    }
    for (int l = 1; l < p.locations; l++) {
      if (bcc_usdt_get_argument(ctx, p.provider.c_str(), p.name.c_str(), l, n, &other) != 0 || !SameArgument(a, other)) {
        *why = "its " + std::to_string(p.locations) + " locations keep argument " + std::to_string(n + 1) +
               " in different places";
        return "";
      }
    }
    std::string type = CType(a.size), dest = "*((" + type + " *)dest)";
    std::string base = a.valid & BCC_USDT_ARGUMENT_BASE_REGISTER_NAME ? a.base_register_name : "";
    std::string body;
    if (a.valid & BCC_USDT_ARGUMENT_CONSTANT) {
      body = dest + " = " + std::to_string(a.constant) + ";";
    } else if (a.valid & BCC_USDT_ARGUMENT_DEREF_IDENT) {
      *why = "argument " + std::to_string(n + 1) + " is read from a global (" + a.deref_ident + ")";
      return "";
    } else if (base.empty() || base.rfind("xmm", 0) == 0) {
      *why = "argument " + std::to_string(n + 1) + " is in a register BPF cannot read" + (base.empty() ? "" : " (" + base + ")");
      return "";
    } else if (!(a.valid & BCC_USDT_ARGUMENT_DEREF_OFFSET)) {
      body = dest + " = ctx->" + base + "; __asm__ __volatile__(\"\": : :\"memory\");";
    } else {
      std::string addr = "ctx->" + base + " + " + std::to_string(a.deref_offset);
      if (a.valid & BCC_USDT_ARGUMENT_INDEX_REGISTER_NAME)
        addr += " + (ctx->" + std::string(a.index_register_name) + " * " +
                std::to_string(a.valid & BCC_USDT_ARGUMENT_SCALE ? a.scale : 1) + ")";
      body = "{ u64 __addr = " + addr + "; " + type + " __res = 0x0; "
             "bpf_probe_read_user(&__res, sizeof(__res), (void *)__addr); " + dest + " = __res; }";
    }
    out += "static __always_inline int _bpf_readarg_" + fn + "_" + std::to_string(n + 1) +
           "(struct pt_regs *ctx, void *dest, size_t len) {\n  if (len != sizeof(" + type + ")) return -1;\n  " +
           body + "\n  return 0;\n}\n";
  }
  return out;
}

// The open contexts of one program; closing them lowers what a pid context raised.
struct UsdtContexts {
  std::vector<void*> contexts;
  ~UsdtContexts() {
    for (void* c : contexts) bcc_usdt_close(c);
  }
};

class UsdtWorker : public Napi::AsyncWorker {
 public:
  UsdtWorker(Napi::Env env, std::vector<UsdtTarget> targets)
      : Napi::AsyncWorker(env, "ibcc.usdt"), deferred_(env), targets_(std::move(targets)),
        owned_(new UsdtContexts) {}
  ~UsdtWorker() override { delete owned_; }
  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    StderrCapture capture(true);
    Run();
    log_ = capture.Finish();
  }

  void OnOK() override {
    Napi::Env env = Env();
    if (!error_.empty()) {
      deferred_.Reject(MakeError(env, "usdt", errno_, error_, log_).Value());
      return;
    }
    Napi::Object r = Napi::Object::New(env);
    UsdtContexts* owned = owned_;
    owned_ = nullptr;
    r.Set("handle", Resources::Of(env).Add("usdt", [owned] { delete owned; }));
    r.Set("text", text_);
    Napi::Array locs = Napi::Array::New(env, locations_.size());
    for (size_t i = 0; i < locations_.size(); i++) {
      const UsdtLocation& l = locations_[i];
      Napi::Object o = Napi::Object::New(env);
      o.Set("fn", l.fn);
      o.Set("provider", l.provider);
      o.Set("probe", l.probe);
      o.Set("path", l.path);
      o.Set("address", (double)l.address);
      o.Set("semaphoreOffset", (double)l.semaphoreOffset);
      o.Set("pid", l.pid);
      locs.Set((uint32_t)i, o);
    }
    r.Set("locations", locs);
    deferred_.Resolve(r);
  }

  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  bool Fail(int err, const std::string& why) {
    errno_ = err;
    error_ = why;
    return false;
  }

  void* Open(const UsdtTarget& t) {
    void* ctx = nullptr;
    if (t.pid >= 0) {
      struct stat st;
      std::string proc = "/proc/" + std::to_string(t.pid);
      if (stat(proc.c_str(), &st) != 0) return Fail(ESRCH, "process " + std::to_string(t.pid) + ": no such process"), nullptr;
      ctx = bcc_usdt_new_frompid(t.pid, nullptr);
      if (!ctx) Fail(EINVAL, "process " + std::to_string(t.pid) + ": cannot read the ELF notes of its mapped files");
    } else {
      ctx = bcc_usdt_new_frompath(t.binary.c_str());
      if (!ctx) Fail(ENOENT, t.binary + ": no such binary (not a path, nor found on PATH or as a library), or not an ELF file");
    }
    return ctx;
  }

  // Finds the probe a target names; sets the error when none or several match.
  bool Find(const UsdtTarget& t, const std::vector<UsdtProbeInfo>& probes, UsdtProbeInfo* found) {
    std::vector<const UsdtProbeInfo*> match;
    for (auto& p : probes)
      if (p.name == t.probe && (t.provider.empty() || p.provider == t.provider)) match.push_back(&p);
    std::string asked = (t.provider.empty() ? "" : t.provider + ":") + t.probe;
    if (match.empty()) return Fail(ENOENT, Where(t) + ": no USDT probe " + asked + "; " + ProbeList(probes));
    if (match.size() > 1)
      return Fail(EINVAL, Where(t) + ": " + asked + " is a probe of several providers (" + match[0]->provider + ", " +
                              match[1]->provider + "); name it PROVIDER:" + t.probe);
    *found = *match[0];
    return true;
  }

  bool Run() {
    std::map<std::pair<int, std::string>, void*> byTarget;
    std::string fallback;
    for (const UsdtTarget& t : targets_) {
      auto key = std::make_pair(t.pid, t.binary);
      void* ctx = byTarget.count(key) ? byTarget[key] : nullptr;
      if (!ctx) {
        if (!(ctx = Open(t))) return false;
        owned_->contexts.push_back(ctx);
        byTarget[key] = ctx;
      }
      UsdtProbeInfo p;
      if (!Find(t, ProbesOf(ctx), &p)) return false;
      std::string asked = p.provider + ":" + p.name;
      if (bcc_usdt_enable_fully_specified_probe(ctx, p.provider.c_str(), p.name.c_str(), t.fn.c_str()) != 0) {
        if (p.semaphore && t.pid < 0) {
          std::string why, readers = ArgumentReaders(ctx, p, t.fn, &why);
          if (!why.empty())
            return Fail(EOPNOTSUPP, Where(t) + ": " + asked + ": " + why + "; attach by pid (--usdt PID:" + asked + "=" +
                                        t.fn + ") so that libbcc reads it in that process");
          fallback += readers;
        } else if (t.pid >= 0) {
          return Fail(EPERM, Where(t) + ": cannot enable " + asked +
                                 (p.semaphore ? " (raising its semaphore through /proc/PID/mem failed, or the process is gone)"
                                              : " (already enabled for another function?)"));
        } else {
          return Fail(EINVAL, Where(t) + ": cannot enable " + asked + " (given twice? one function per probe)");
        }
      }
      for (int i = 0; i < p.locations; i++) {
        bcc_usdt_location loc = {};
        if (bcc_usdt_get_location(ctx, p.provider.c_str(), p.name.c_str(), i, &loc) != 0)
          return Fail(EINVAL, Where(t) + ": " + asked + ": cannot read location " + std::to_string(i));
        locations_.push_back({t.fn, p.provider, p.name, loc.bin_path ? loc.bin_path : t.binary, loc.address,
                              p.semaphoreOffset, t.pid});
      }
    }
    // bcc_usdt_genargs returns its own static buffer.
    static std::mutex genargs;
    std::lock_guard<std::mutex> hold(genargs);
    const char* text = bcc_usdt_genargs(owned_->contexts.data(), (int)owned_->contexts.size());
    if (!text)
      return Fail(EINVAL, "libbcc could not write the code that reads the probes' arguments (a probe with several "
                          "locations in a position-independent binary needs a pid)");
    text_ = std::string(text) + fallback;
    return true;
  }

  Napi::Promise::Deferred deferred_;
  std::vector<UsdtTarget> targets_;
  UsdtContexts* owned_;
  std::vector<UsdtLocation> locations_;
  std::string text_, error_, log_;
  int errno_ = 0;
};

// openUsdt([{ binary?, pid?, provider?, probe, fn }]) -> Promise<{ handle, text, locations }>
static Napi::Value OpenUsdt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray()) throw Napi::TypeError::New(env, "targets must be an array");
  Napi::Array arr = info[0].As<Napi::Array>();
  std::vector<UsdtTarget> targets;
  for (uint32_t i = 0; i < arr.Length(); i++) {
    if (!arr.Get(i).IsObject()) throw Napi::TypeError::New(env, "a USDT target must be an object");
    Napi::Object o = arr.Get(i).As<Napi::Object>();
    UsdtTarget t;
    auto str = [&](const char* k) { return o.Get(k).IsString() ? o.Get(k).As<Napi::String>().Utf8Value() : std::string(); };
    t.binary = str("binary");
    t.provider = str("provider");
    t.probe = str("probe");
    t.fn = str("fn");
    t.pid = o.Get("pid").IsNumber() ? o.Get("pid").As<Napi::Number>().Int32Value() : -1;
    if (t.probe.empty() || t.fn.empty() || (t.pid < 0 && t.binary.empty()))
      throw Napi::TypeError::New(env, "a USDT target needs probe, fn, and binary or pid");
    targets.push_back(std::move(t));
  }
  auto* w = new UsdtWorker(env, std::move(targets));
  auto p = w->Promise();
  w->Queue();
  return p;
}

static Registration reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("openUsdt", Napi::Function::New(env, OpenUsdt));
});

}  // namespace ibcc
