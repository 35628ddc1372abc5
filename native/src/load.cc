// load(): one function of a module into the kernel, off the JS thread, with
// the verifier log collected in a buffer that grows until the log fits.
#include <bcc/bcc_common.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <string>
#include "errors.h"
#include "registry.h"
#include "resources.h"
#include "stderr_capture.h"

namespace ibcc {

void* ModuleOf(Napi::Env env, int id);

class LoadWorker : public Napi::AsyncWorker {
 public:
  LoadWorker(Napi::Env env, void* module, std::string name, int type, int logLevel, int attachType)
      : Napi::AsyncWorker(env, "ibcc.load"), deferred_(env), module_(module), name_(std::move(name)),
        type_(type), logLevel_(logLevel), attachType_(attachType) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    auto* insns = (const struct bpf_insn*)bpf_function_start(module_, name_.c_str());
    size_t size = bpf_function_size(module_, name_.c_str());
    if (!insns) {
      err_ = ENOENT;
      return;
    }
    StderrCapture capture(true);
    // libbcc retries a failed load with log level 1 into this buffer; grow it while the log is cut short.
    for (size_t cap = logLevel_ > 0 ? (16u << 20) : (1u << 20);; cap *= 4) {
      std::string buf(cap, '\0');
      fd_ = bcc_func_load(module_, type_, name_.c_str(), insns, (int)size,
                          bpf_module_license(module_), bpf_module_kern_version(module_), logLevel_,
                          &buf[0], (unsigned)cap, nullptr, attachType_);
      err_ = fd_ < 0 ? (fd_ < -1 ? -fd_ : errno) : 0;
      log_ = buf.c_str();
      if (fd_ >= 0 || err_ != ENOSPC || cap >= (256u << 20)) break;
    }
    stderr_ = capture.Finish();
    if (fd_ >= 0) {
      struct bpf_prog_info info = {};
      __u32 len = sizeof info;
      if (bpf_obj_get_info_by_fd(fd_, &info, &len) == 0) {
        id_ = info.id;
        static const char hex[] = "0123456789abcdef";
        for (int i = 0; i < 8; i++) {
          tag_ += hex[info.tag[i] >> 4];
          tag_ += hex[info.tag[i] & 15];
        }
      }
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object r = Napi::Object::New(env);
    r.Set("log", Napi::String::New(env, log_));
    r.Set("stderr", Napi::String::New(env, stderr_));
    r.Set("errno", Napi::Number::New(env, err_));
    r.Set("code", Napi::String::New(env, ErrnoName(err_)));
    r.Set("strerror", Napi::String::New(env, err_ ? strerror(err_) : ""));
    if (fd_ >= 0) {
      int fd = fd_;
      r.Set("handle", Resources::Of(env).Add("prog", [fd] { close(fd); }));
      r.Set("fd", fd);
      r.Set("id", (double)id_);
      r.Set("tag", tag_);
    }
    deferred_.Resolve(r);
  }

  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  void* module_;
  std::string name_;
  int type_, logLevel_, attachType_;
  int fd_ = -1, err_ = 0;
  uint32_t id_ = 0;
  std::string tag_, log_, stderr_;
};

// load(module, name, progType, logLevel, attachType) -> Promise<{ handle?, fd?, id?, tag?, errno, code, log, stderr }>
static Napi::Value Load(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  void* m = ModuleOf(env, ArgInt(info, 0, "module"));
  auto* w = new LoadWorker(env, m, ArgString(info, 1, "name"), ArgInt(info, 2, "progType"),
                           ArgInt(info, 3, "logLevel"), ArgInt(info, 4, "attachType"));
  auto p = w->Promise();
  w->Queue();
  return p;
}

static Registration reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("load", Napi::Function::New(env, Load));
});

}  // namespace ibcc
