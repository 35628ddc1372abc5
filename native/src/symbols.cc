// Symbol resolution through libbcc's symbol caches (bcc_syms.h): addresses to
// names for the kernel (/proc/kallsyms) or one process (its ELF files), and a
// binary's symbol to its file offset for uprobes.
#include <bcc/bcc_syms.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "registry.h"

namespace {

uint64_t ToAddress(const Napi::Value& v) {
  if (v.IsBigInt()) {
    bool lossless = true;
    uint64_t a = v.As<Napi::BigInt>().Uint64Value(&lossless);
    if (!lossless) throw Napi::RangeError::New(v.Env(), "address does not fit 64 bits");
    return a;
  }
  if (v.IsNumber()) return static_cast<uint64_t>(v.As<Napi::Number>().Int64Value());
  throw Napi::TypeError::New(v.Env(), "address must be a bigint or a number");
}

// One bcc symbol cache: pid -1 reads /proc/kallsyms, any other pid that process's maps.
class SymbolCache : public Napi::ObjectWrap<SymbolCache> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "SymbolCache",
                       {InstanceMethod("resolve", &SymbolCache::Resolve),
                        InstanceMethod("resolveName", &SymbolCache::ResolveName),
                        InstanceMethod("refresh", &SymbolCache::Refresh),
                        InstanceMethod("close", &SymbolCache::Close),
                        InstanceAccessor("pid", &SymbolCache::Pid, nullptr),
                        InstanceAccessor("closed", &SymbolCache::Closed, nullptr)});
  }

  explicit SymbolCache(const Napi::CallbackInfo& info) : Napi::ObjectWrap<SymbolCache>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "SymbolCache(pid): pid must be a number (-1 for the kernel)");
    pid_ = info[0].As<Napi::Number>().Int32Value();
    bcc_symbol_option opt{};
    opt.use_debug_file = 1;
    opt.check_debug_file_crc = 1;
    opt.lazy_symbolize = 1;
    opt.use_symbol_type = (1 << 2 /* STT_FUNC */) | (1 << 10 /* STT_GNU_IFUNC */);
    errno = 0;
    cache_ = bcc_symcache_new(pid_, pid_ < 0 ? nullptr : &opt);
    if (!cache_) {
      std::string msg = "bcc_symcache_new(" + std::to_string(pid_) + ") failed";
      if (errno) msg += std::string(": ") + strerror(errno);
      throw Napi::Error::New(env, msg);
    }
  }

  ~SymbolCache() override { Free(); }

 private:
  void Free() {
    if (cache_) bcc_free_symcache(cache_, pid_);
    cache_ = nullptr;
  }

  void* Live(Napi::Env env) {
    if (!cache_) throw Napi::Error::New(env, "symbol cache is closed");
    return cache_;
  }

  // resolve(addr, demangle = true) -> { name, module, offset } | undefined
  Napi::Value Resolve(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    void* c = Live(env);
    uint64_t addr = ToAddress(info[0]);
    bool demangle = info.Length() < 2 || info[1].ToBoolean();
    bcc_symbol sym{};
    int rc = demangle ? bcc_symcache_resolve(c, addr, &sym) : bcc_symcache_resolve_no_demangle(c, addr, &sym);
    if (rc < 0 || !sym.name) {
      if (demangle) bcc_symbol_free_demangle_name(&sym);
      // A miss still names the module when the address falls in one.
      if (sym.module && sym.module[0]) {
        Napi::Object o = Napi::Object::New(env);
        o.Set("module", sym.module);
        o.Set("offset", Napi::BigInt::New(env, sym.offset));
        return o;
      }
      return env.Undefined();
    }
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", (demangle && sym.demangle_name) ? sym.demangle_name : sym.name);
    o.Set("module", sym.module ? sym.module : "");
    o.Set("offset", Napi::BigInt::New(env, sym.offset));
    if (demangle) bcc_symbol_free_demangle_name(&sym);
    return o;
  }

  // resolveName(module, name) -> bigint | undefined
  Napi::Value ResolveName(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    void* c = Live(env);
    std::string module = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
    std::string name = info[1].As<Napi::String>().Utf8Value();
    // libbcc 0.26's process cache compares each module's name with the argument
    // as a std::string, so a null module crashes it: only the kernel's cache
    // (pid -1) searches every module.
    if (module.empty() && pid_ != -1)
      throw Napi::TypeError::New(env, "a process symbol's address needs its module (the library path as mapped, e.g. \"/usr/lib/x86_64-linux-gnu/libc.so.6\")");
    uint64_t addr = 0;
    if (bcc_symcache_resolve_name(c, module.empty() ? nullptr : module.c_str(), name.c_str(), &addr) < 0) return env.Undefined();
    return Napi::BigInt::New(env, addr);
  }

  Napi::Value Refresh(const Napi::CallbackInfo& info) {
    bcc_symcache_refresh(Live(info.Env()));
    return info.Env().Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Free();
    return info.Env().Undefined();
  }

  Napi::Value Pid(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), pid_); }
  Napi::Value Closed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), cache_ == nullptr); }

  int pid_ = -1;
  void* cache_ = nullptr;
};

// resolveSymname(binary, symbol, addr = 0, pid = -1) -> { module, offset } | undefined
Napi::Value ResolveSymname(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsString())
    throw Napi::TypeError::New(env, "resolveSymname(binary, symbol, addr?, pid?)");
  std::string module = info[0].As<Napi::String>().Utf8Value();
  std::string symbol = info[1].As<Napi::String>().Utf8Value();
  uint64_t addr = info.Length() > 2 && !info[2].IsUndefined() ? ToAddress(info[2]) : 0;
  int pid = info.Length() > 3 && info[3].IsNumber() ? info[3].As<Napi::Number>().Int32Value() : -1;
  bcc_symbol sym{};
  int rc = bcc_resolve_symname(module.c_str(), symbol.empty() ? nullptr : symbol.c_str(), addr, pid, nullptr, &sym);
  if (rc < 0) {
    if (sym.module) free(const_cast<char*>(sym.module));
    return env.Undefined();
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("module", sym.module ? sym.module : module.c_str());
  o.Set("offset", Napi::BigInt::New(env, sym.offset));
  if (sym.module) free(const_cast<char*>(sym.module));
  return o;
}

ibcc::Registration reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("SymbolCache", SymbolCache::Define(env));
  exports.Set("resolveSymname", Napi::Function::New(env, ResolveSymname, "resolveSymname"));
});

}  // namespace
