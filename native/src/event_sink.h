// What perf and ring buffer readers share: libuv polls on fds the kernel marks
// readable, events gathered into copies, and one JS call per wake-up.
#pragma once
#include <napi.h>
#include <uv.h>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ibcc {

class EventSink {
 public:
  EventSink(Napi::Env env, Napi::Function callback, const char* name);
  virtual ~EventSink() = default;

  // Watches fd; on readiness Drain() runs, then the batch is delivered.
  bool Watch(int fd);
  // Stops watching. The sink deletes itself once libuv has let go of every
  // poll handle; Free() then releases the native readers.
  void Close();

  void Push(const void* data, size_t size) { events_.emplace_back((const char*)data, size); }
  void AddLost(uint64_t n) { lost_ += n; }

 protected:
  virtual void Drain() = 0;
  virtual void Free() = 0;

 private:
  static void OnReadable(uv_poll_t* poll, int status, int events);
  static void OnClosed(uv_handle_t* handle);
  void Deliver();

  Napi::Env env_;
  Napi::FunctionReference callback_;
  std::unique_ptr<Napi::AsyncContext> context_;
  std::vector<uv_poll_t*> polls_;
  std::vector<std::string> events_;
  uint64_t lost_ = 0;
  size_t open_polls_ = 0;
  bool closed_ = false;
};

}  // namespace ibcc
