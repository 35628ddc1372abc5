// Errors the addon throws: a JS Error with op, errno and code set, which the
// TypeScript layer turns into BpfError.
#pragma once
#include <napi.h>
#include <string>

namespace ibcc {

// "ENOENT" for 2; "EUNKNOWN" when the number has no name.
std::string ErrnoName(int err);

// message is "<op>: <detail>: <strerror> (<CODE>)"; detail and extra may be empty.
// extra (libbcc's own stderr text, say) is appended on its own lines.
Napi::Error MakeError(Napi::Env env, const std::string& op, int err,
                      const std::string& detail, const std::string& extra = "");

[[noreturn]] inline void Throw(Napi::Env env, const std::string& op, int err,
                               const std::string& detail, const std::string& extra = "") {
  throw MakeError(env, op, err, detail, extra);
}

// Argument checks shared by every exported function.
int32_t ArgInt(const Napi::CallbackInfo& info, size_t i, const char* what);
std::string ArgString(const Napi::CallbackInfo& info, size_t i, const char* what);
Napi::Buffer<uint8_t> ArgBuffer(const Napi::CallbackInfo& info, size_t i, const char* what);

}  // namespace ibcc
