// Every kernel object or libbcc handle the addon opens is registered here
// under a numeric handle. JS closes it by handle (release); whatever is still
// open when the Node environment tears down is closed by a cleanup hook, so
// nothing outlives the environment that made it.
#pragma once
#include <napi.h>
#include <functional>
#include <map>

namespace ibcc {

struct Resource {
  std::function<void()> close;
  void* ptr = nullptr;  // the libbcc object, for the handles that have one
  const char* kind = "";
  bool background = false;  // closed on a closer thread (see closer.h)
};

class Resources {
 public:
  static Resources& Of(Napi::Env env);
  int Add(const char* kind, std::function<void()> close, void* ptr = nullptr);
  // A handle whose close is slow in the kernel: Release hands it to a closer
  // thread and returns at once.
  int AddBackground(const char* kind, std::function<void()> close);
  // Runs the closer once (or hands it over); false when the handle is unknown
  // (already closed).
  bool Release(int id);
  // The object of an open handle of this kind, or nullptr.
  void* Get(int id, const char* kind) const;
  size_t Count() const { return items_.size(); }
  // Every handle, and waits (up to 2 s) for the background closes to finish.
  void CloseAll();

 private:
  std::map<int, Resource> items_;
  int next_ = 1;
};

}  // namespace ibcc
