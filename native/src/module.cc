// compile(): BCC text to a libbcc module, off the JS thread, with clang's
// output captured; moduleInfo(): its functions and tables.
#include <bcc/bcc_common.h>
#include <mutex>
#include <vector>
#include "compile_guard.h"
#include "errors.h"
#include "registry.h"
#include "resources.h"
#include "stderr_capture.h"

namespace ibcc {

// LLVM builds most of its statics on the first compile; doing that on a
// program that cannot fail keeps them out of reach of a later crashed one. It
// costs a whole compile (BCC's headers are parsed for any program), so
// warmUp() lets a process pay it before its first real compile; a compile
// that comes while it runs waits for it.
static void WarmUp() {
  static std::once_flag warm;
  std::call_once(warm, [] {
    bool crashed = false;
    void* m = GuardedCompile(
        [](void*) -> void* {
          return bpf_module_create_c_from_string("int ibcc_warm_up(void *ctx) { return 0; }", 0, nullptr, 0, true,
                                                 nullptr);
        },
        nullptr, &crashed);
    if (m) bpf_module_destroy(m);
  });
}

// A Promise<void> for fn run on the pool: warmUp() runs WarmUp (no stderr
// capture: a program that cannot fail prints nothing, and captures must not
// overlap a compile's); returnFreedMemory() waits for the compiles queued so
// far, then has the compile thread give malloc's free memory back.
class VoidWorker : public Napi::AsyncWorker {
 public:
  VoidWorker(Napi::Env env, const char* name, void (*fn)()) : Napi::AsyncWorker(env, name), deferred_(env), fn_(fn) {}
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override { fn_(); }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  void (*fn_)();
};

template <void (*Fn)()>
static Napi::Value RunVoid(const Napi::CallbackInfo& info) {
  auto* w = new VoidWorker(info.Env(), "ibcc.compiler", Fn);
  auto p = w->Promise();
  w->Queue();
  return p;
}

class CompileWorker : public Napi::AsyncWorker {
 public:
  CompileWorker(Napi::Env env, std::string text, std::vector<std::string> cflags, unsigned flags)
      : Napi::AsyncWorker(env, "ibcc.compile"), deferred_(env), text_(std::move(text)),
        cflags_(std::move(cflags)), flags_(flags) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    std::vector<const char*> argv;
    for (auto& f : cflags_) argv.push_back(f.c_str());
    StderrCapture capture(true);
    WarmUp();
    struct Call {
      CompileWorker* self;
      std::vector<const char*>* argv;
    } call{this, &argv};
    bool crashed = false;
    module_ = GuardedCompile(
        [](void* p) -> void* {
          auto* c = static_cast<Call*>(p);
          return bpf_module_create_c_from_string(c->self->text_.c_str(), c->self->flags_, c->argv->data(),
                                                 (int)c->argv->size(), true, nullptr);
        },
        &call, &crashed);
    err_ = crashed ? ECANCELED : errno;
    log_ = capture.Finish();
    if (crashed) log_ += "\nerror: the compiler stopped on a fatal error (above); nothing was loaded\n";
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object r = Napi::Object::New(env);
    r.Set("log", Napi::String::New(env, log_));
    if (module_) {
      void* m = module_;
      int id = Resources::Of(env).Add("module", [m] {
        bpf_module_destroy(m);
        CompilerMemoryFreed();
      }, m);
      r.Set("handle", Napi::Number::New(env, id));
    } else {
      r.Set("handle", env.Null());
      r.Set("errno", Napi::Number::New(env, err_));
    }
    deferred_.Resolve(r);
  }

  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::string text_;
  std::vector<std::string> cflags_;
  unsigned flags_;
  void* module_ = nullptr;
  int err_ = 0;
  std::string log_;
};

// compile(text, cflags[], debugFlags) -> Promise<{ handle | null, log }>
static Napi::Value Compile(const Napi::CallbackInfo& info) {
  std::string text = ArgString(info, 0, "text");
  std::vector<std::string> cflags;
  if (info.Length() > 1 && info[1].IsArray()) {
    auto arr = info[1].As<Napi::Array>();
    for (uint32_t i = 0; i < arr.Length(); i++) cflags.push_back(arr.Get(i).ToString().Utf8Value());
  }
  unsigned flags = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().Uint32Value() : 0;
  auto* w = new CompileWorker(info.Env(), std::move(text), std::move(cflags), flags);
  auto p = w->Promise();
  w->Queue();
  return p;
}

void* ModuleOf(Napi::Env env, int id) {
  void* m = Resources::Of(env).Get(id, "module");
  if (!m) Throw(env, "module", EBADF, "the module is closed");
  return m;
}

static Napi::Value Str(Napi::Env env, const char* s) {
  return s ? Napi::String::New(env, s) : env.Null();
}

// moduleInfo(handle) -> { functions, tables: [{ name, fd, type, keySize, valueSize, maxEntries, flags, keyDesc, valueDesc }], license, kernVersion }
static Napi::Value ModuleInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  void* m = ModuleOf(env, ArgInt(info, 0, "module"));
  Napi::Object r = Napi::Object::New(env);
  size_t nf = bpf_num_functions(m);
  Napi::Array fns = Napi::Array::New(env, nf);
  for (size_t i = 0; i < nf; i++) fns.Set((uint32_t)i, Str(env, bpf_function_name(m, i)));
  r.Set("functions", fns);
  size_t nt = bpf_num_tables(m);
  Napi::Array tables = Napi::Array::New(env, nt);
  for (size_t i = 0; i < nt; i++) {
    Napi::Object t = Napi::Object::New(env);
    t.Set("name", Str(env, bpf_table_name(m, i)));
    t.Set("fd", bpf_table_fd_id(m, i));
    t.Set("type", bpf_table_type_id(m, i));
    t.Set("keySize", (double)bpf_table_key_size_id(m, i));
    t.Set("valueSize", (double)bpf_table_leaf_size_id(m, i));
    t.Set("maxEntries", (double)bpf_table_max_entries_id(m, i));
    t.Set("flags", bpf_table_flags_id(m, i));
    t.Set("keyDesc", Str(env, bpf_table_key_desc_id(m, i)));
    t.Set("valueDesc", Str(env, bpf_table_leaf_desc_id(m, i)));
    tables.Set((uint32_t)i, t);
  }
  r.Set("tables", tables);
  r.Set("license", Str(env, bpf_module_license(m)));
  r.Set("kernVersion", (double)bpf_module_kern_version(m));
  return r;
}

static Registration reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("compile", Napi::Function::New(env, Compile));
  exports.Set("warmUp", Napi::Function::New(env, RunVoid<WarmUp>));
  exports.Set("returnFreedMemory", Napi::Function::New(env, RunVoid<ReturnMemoryNow>));
  exports.Set("moduleInfo", Napi::Function::New(env, ModuleInfo));
});

}  // namespace ibcc
