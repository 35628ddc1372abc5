// libbcc's version, for output metadata and %features.
#include <bcc/bcc_version.h>
#include "registry.h"

static ibcc::Registration reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("libbccVersion", Napi::String::New(env, LIBBCC_VERSION));
});
