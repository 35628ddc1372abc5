// What perf and ring buffer readers share: libuv polls on fds the kernel marks
// readable, every ready event appended to one byte run, and one JS call per
// wake-up: (slab, dataAt, dataLength, offsetsAt, count, lost, fill). The run
// and its offsets (event i is bytes offsets[i] .. offsets[i+1] of the run) are
// copied into a pooled ArrayBuffer that JS views; no allocation per wake-up
// until the slab is used up, none per event: per-event Buffers cost more than
// the kernel's side of an event.
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
  // Reads once after the next poll phase, when libuv has added the fds to its epoll set. A perf event fd's readiness is a flag the
  // kernel clears when polled, and epoll polls it twice when the fd is added
  // (at the add and at the wait), so events that came before the fd was in
  // the loop's epoll set would not wake us.
  void DrainSoon();
  // Also reads every ms milliseconds: events below a perf buffer's wake-up
  // threshold would otherwise wait for more to come. Does not keep the loop alive.
  void FlushEvery(unsigned ms);
  // Paced reading, for buffers that wake the reader whenever it has caught up
  // (ring buffers): a busy producer would otherwise cost a wake-up per few
  // events on both sides. After a wake-up that found events, the fds are not
  // watched and the buffer is read again after an interval (1-10 ms) that lets
  // it fill to at most an eighth of `capacity` bytes at the rate just seen; a
  // read that finds nothing new watches the fds again.
  void PaceFor(size_t capacity);
  // Stops watching. The sink deletes itself once libuv has let go of every
  // poll handle; Free() then releases the native readers.
  void Close();

  void Push(const void* data, size_t size) {
    const char* p = static_cast<const char*>(data);
    data_.insert(data_.end(), p, p + size);
    offsets_.push_back((uint32_t)data_.size());
  }
  void AddLost(uint64_t n) { lost_ += n; }
  // How full the buffer was (0..1) when a read began; the highest since the
  // last delivery goes to JS with the events.
  void SawFill(double fill) {
    if (fill > fill_) fill_ = fill;
  }

 protected:
  virtual void Drain() = 0;
  virtual void Free() = 0;

 private:
  static void OnReadable(uv_poll_t* poll, int status, int events);
  static void OnClosed(uv_handle_t* handle);
  static void OnCheck(uv_check_t* check);
  // The flush timer's and the pace timer's callback: one read.
  static void OnTimer(uv_timer_t* timer);
  // One read and delivery; then, when pacing, decides when the next read is.
  void Read();
  void Deliver();
  void SetPolling(bool on);
  // A timer on the env's loop, counted in open_polls_ (Close closes it); nullptr without a loop.
  uv_timer_t* NewTimer();

  Napi::Env env_;
  Napi::FunctionReference callback_;
  std::unique_ptr<Napi::AsyncContext> context_;
  std::vector<uv_poll_t*> polls_;
  uv_check_t* check_ = nullptr;
  uv_timer_t* timer_ = nullptr;
  std::vector<char> data_;
  Napi::Reference<Napi::ArrayBuffer> slab_;
  size_t slab_size_ = 0, slab_used_ = 0;
  // offsets_[0] is 0; each Push adds the end of its event.
  std::vector<uint32_t> offsets_{0};
  uint64_t lost_ = 0;
  double fill_ = -1;
  uv_timer_t* pace_ = nullptr;
  size_t pace_capacity_ = 0;
  uint64_t last_read_ns_ = 0;
  uint64_t pace_ms_ = 0;  // 0 while the fds are watched
  bool polling_ = true;
  size_t open_polls_ = 0;
  bool closed_ = false;
  bool delivering_ = false;
};

}  // namespace ibcc
