#include "errors.h"
#include <string.h>

namespace ibcc {

std::string ErrnoName(int err) {
  const char* name = err > 0 ? strerrorname_np(err) : nullptr;
  return name ? name : "EUNKNOWN";
}

Napi::Error MakeError(Napi::Env env, const std::string& op, int err,
                      const std::string& detail, const std::string& extra) {
  std::string msg = op;
  if (!detail.empty()) msg += ": " + detail;
  if (err > 0) msg += std::string(": ") + strerror(err) + " (" + ErrnoName(err) + ")";
  std::string more = extra;
  while (!more.empty() && (more.back() == '\n' || more.back() == ' ')) more.pop_back();
  if (!more.empty()) msg += "\n" + more;
  Napi::Error e = Napi::Error::New(env, msg);
  e.Set("op", Napi::String::New(env, op));
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("code", Napi::String::New(env, ErrnoName(err)));
  return e;
}

int32_t ArgInt(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsNumber())
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a number");
  return info[i].As<Napi::Number>().Int32Value();
}

std::string ArgString(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsString())
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a string");
  return info[i].As<Napi::String>().Utf8Value();
}

Napi::Buffer<uint8_t> ArgBuffer(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsBuffer())
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a Buffer");
  return info[i].As<Napi::Buffer<uint8_t>>();
}

}  // namespace ibcc
