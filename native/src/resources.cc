#include "resources.h"
#include <string.h>
#include "closer.h"
#include "registry.h"

namespace ibcc {

static void Cleanup(void* arg) { static_cast<Resources*>(arg)->CloseAll(); }

Resources& Resources::Of(Napi::Env env) {
  auto* r = env.GetInstanceData<Resources>();
  if (!r) {
    r = new Resources();
    // A cleanup hook rather than instance-data finalizer: it runs before the
    // environment's handles are gone, while closing is still safe.
    napi_add_env_cleanup_hook(env, Cleanup, r);
    env.SetInstanceData<Resources>(r);  // deleted by the default finalizer, after the hook
  }
  return *r;
}

int Resources::Add(const char* kind, std::function<void()> close, void* ptr) {
  int id = next_++;
  items_[id] = Resource{std::move(close), ptr, kind};
  return id;
}

int Resources::AddBackground(const char* kind, std::function<void()> close) {
  int id = Add(kind, std::move(close));
  items_[id].background = true;
  return id;
}

bool Resources::Release(int id) {
  auto it = items_.find(id);
  if (it == items_.end()) return false;
  auto close = std::move(it->second.close);
  bool background = it->second.background;
  items_.erase(it);
  if (close) {
    if (background) CloseInBackground(std::move(close));
    else close();
  }
  return true;
}

void* Resources::Get(int id, const char* kind) const {
  auto it = items_.find(id);
  if (it == items_.end() || strcmp(it->second.kind, kind) != 0) return nullptr;
  return it->second.ptr;
}

void Resources::CloseAll() {
  // Newest first: attachments and readers go before the programs and maps they use.
  while (!items_.empty()) Release(items_.rbegin()->first);
  // The environment is going: what it attached goes with it, several at once.
  WaitForCloses(std::chrono::seconds(2));
}

static Registration reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("release", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(info.Env(), "handle must be a number");
    return Napi::Boolean::New(info.Env(), Resources::Of(info.Env()).Release(info[0].As<Napi::Number>().Int32Value()));
  }));
  exports.Set("openHandles", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), (double)Resources::Of(info.Env()).Count());
  }));
});

}  // namespace ibcc
