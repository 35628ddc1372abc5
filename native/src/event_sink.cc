#include "event_sink.h"
#include <algorithm>
#include <cstring>

namespace ibcc {

EventSink::EventSink(Napi::Env env, Napi::Function callback, const char* name)
    : env_(env), callback_(Napi::Persistent(callback)),
      context_(std::make_unique<Napi::AsyncContext>(env, name)) {}

bool EventSink::Watch(int fd) {
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env_, &loop) != napi_ok) return false;
  auto* poll = new uv_poll_t;
  if (uv_poll_init(loop, poll, fd) != 0) {
    delete poll;
    return false;
  }
  poll->data = this;
  polls_.push_back(poll);
  open_polls_++;
  uv_poll_start(poll, UV_READABLE, OnReadable);
  return true;
}

void EventSink::DrainSoon() {
  uv_loop_t* loop = nullptr;
  if (check_ || napi_get_uv_event_loop(env_, &loop) != napi_ok) return;
  check_ = new uv_check_t;
  uv_check_init(loop, check_);
  check_->data = this;
  open_polls_++;
  uv_check_start(check_, OnCheck);
}

void EventSink::OnCheck(uv_check_t* check) {
  auto* self = static_cast<EventSink*>(check->data);
  uv_check_stop(check);  // once is enough
  if (self->closed_) return;
  self->Read();
}

uv_timer_t* EventSink::NewTimer() {
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env_, &loop) != napi_ok) return nullptr;
  auto* timer = new uv_timer_t;
  uv_timer_init(loop, timer);
  timer->data = this;
  open_polls_++;
  return timer;
}

void EventSink::FlushEvery(unsigned ms) {
  if (timer_ || ms == 0 || !(timer_ = NewTimer())) return;
  uv_timer_start(timer_, OnTimer, ms, ms);
  uv_unref(reinterpret_cast<uv_handle_t*>(timer_));
}

void EventSink::OnTimer(uv_timer_t* timer) {
  auto* self = static_cast<EventSink*>(timer->data);
  if (self->closed_) return;
  self->Read();
}

void EventSink::OnReadable(uv_poll_t* poll, int status, int events) {
  auto* self = static_cast<EventSink*>(poll->data);
  if (self->closed_) return;
  // Every buffer is read on any wake-up, so one call carries all that is ready.
  self->Read();
}

// Paced intervals, in ms (libuv's timer resolution). The first read after a
// wake-up comes soon, as nothing is known of the rate yet; later intervals
// at most double, so a rising rate is seen before the ring fills.
// The target fill is an eighth: a reader held up by other work on a loaded
// machine (tens of ms) still finds room, and reads every few ms cost little.
static const uint64_t kPaceMinMs = 1, kPaceMaxMs = 10;
static const double kPaceFill = 1.0 / 8;

void EventSink::PaceFor(size_t capacity) {
  if (pace_ || capacity == 0 || !(pace_ = NewTimer())) return;
  pace_capacity_ = capacity;
}

void EventSink::SetPolling(bool on) {
  if (on == polling_) return;
  polling_ = on;
  for (auto* poll : polls_) {
    if (on) uv_poll_start(poll, UV_READABLE, OnReadable);
    else uv_poll_stop(poll);
  }
}

void EventSink::Read() {
  uint64_t now = uv_hrtime();
  Drain();
  size_t events = offsets_.size() - 1;
  // Each record also takes its 8-byte header in a ring.
  double bytes = (double)data_.size() + 8.0 * events;
  Deliver();
  if (!pace_ || closed_) return;
  uint64_t prev = pace_ms_;
  uv_timer_stop(pace_);
  if (events == 0) {
    // The producer went quiet: sleep until the kernel says there is more.
    pace_ms_ = 0;
    SetPolling(true);
    return;
  }
  uint64_t next = kPaceMinMs;
  if (prev > 0) {
    double ms = (double)(now - last_read_ns_) / 1e6;
    double fill_ms = bytes > 0 ? (double)pace_capacity_ * kPaceFill / (bytes / std::max(ms, 0.001)) : (double)kPaceMaxMs;
    next = std::min<uint64_t>({(uint64_t)fill_ms, prev * 2, kPaceMaxMs});
    next = std::max(next, kPaceMinMs);
  }
  last_read_ns_ = now;
  pace_ms_ = next;
  SetPolling(false);
  uv_timer_start(pace_, OnTimer, next, 0);
}

// Deliveries are carved from one ArrayBuffer (a slab) until it is used up, as
// Node pools small Buffers: a wake-up then allocates nothing of its own, and
// JS makes its views of it. Each delivery starts 8-byte aligned. 64 KiB stays
// below malloc's mmap threshold, so a new slab reuses heap memory instead of
// faulting in fresh pages (a 256 KiB slab cost more in faults than it saved).
static const size_t kSlabBytes = 64u << 10;

void EventSink::Deliver() {
  size_t count = offsets_.size() - 1;
  if (count == 0 && lost_ == 0) return;
  uint64_t lost = lost_;
  lost_ = 0;
  double fill = fill_;
  fill_ = -1;
  Napi::HandleScope scope(env_);
  size_t dataLen = data_.size(), offBytes = offsets_.size() * sizeof(uint32_t);
  size_t need = ((dataLen + 7) & ~size_t(7)) + offBytes;
  if (slab_.IsEmpty() || slab_used_ + need > slab_size_) {
    size_t size = std::max(kSlabBytes, need);
    slab_ = Napi::Persistent(Napi::ArrayBuffer::New(env_, size));
    slab_size_ = size;
    slab_used_ = 0;
  }
  Napi::ArrayBuffer slab = slab_.Value();
  uint8_t* base = static_cast<uint8_t*>(slab.Data());
  size_t dataAt = slab_used_;
  size_t offAt = (dataAt + dataLen + 7) & ~size_t(7);
  if (dataLen) memcpy(base + dataAt, data_.data(), dataLen);
  memcpy(base + offAt, offsets_.data(), offBytes);
  slab_used_ = (offAt + offBytes + 7) & ~size_t(7);
  // Capacity stays: the next wake-up reuses it.
  data_.clear();
  offsets_.resize(1);
  delivering_ = true;
  try {
    // fill is undefined where the reader cannot see it (perf buffers).
    Napi::Value fillValue = fill < 0 ? env_.Undefined() : Napi::Number::New(env_, fill);
    callback_.MakeCallback(env_.Global(),
                           {slab, Napi::Number::New(env_, (double)dataAt), Napi::Number::New(env_, (double)dataLen),
                            Napi::Number::New(env_, (double)offAt), Napi::Number::New(env_, (double)count),
                            Napi::Number::New(env_, (double)lost), fillValue},
                           *context_);
  } catch (const Napi::Error& e) {
    // An exception in the callback is the program's, as for any event emitter.
    napi_fatal_exception(env_, e.Value());
  }
  delivering_ = false;
  // The callback may have closed the reader; its context outlived the call.
  if (closed_) context_.reset();
}

void EventSink::Close() {
  if (closed_) return;
  closed_ = true;
  // JS-side state goes now, while the environment is alive: libuv may finish
  // closing the handles after it is gone (at environment teardown).
  callback_.Reset();
  slab_.Reset();
  if (!delivering_) context_.reset();
  for (auto* poll : polls_) {
    uv_poll_stop(poll);
    uv_close(reinterpret_cast<uv_handle_t*>(poll), OnClosed);
  }
  polls_.clear();
  if (check_) {
    uv_check_stop(check_);
    uv_close(reinterpret_cast<uv_handle_t*>(check_), OnClosed);
    check_ = nullptr;
  }
  if (timer_) {
    uv_timer_stop(timer_);
    uv_close(reinterpret_cast<uv_handle_t*>(timer_), OnClosed);
    timer_ = nullptr;
  }
  if (pace_) {
    uv_timer_stop(pace_);
    uv_close(reinterpret_cast<uv_handle_t*>(pace_), OnClosed);
    pace_ = nullptr;
  }
  if (open_polls_ == 0) {
    Free();
    delete this;
  }
}

void EventSink::OnClosed(uv_handle_t* handle) {
  auto* self = static_cast<EventSink*>(handle->data);
  if (handle->type == UV_CHECK) delete reinterpret_cast<uv_check_t*>(handle);
  else if (handle->type == UV_TIMER) delete reinterpret_cast<uv_timer_t*>(handle);
  else delete reinterpret_cast<uv_poll_t*>(handle);
  // The fds are closed only now: libuv must not see a polled fd vanish (or be reused) under it.
  if (--self->open_polls_ == 0) {
    self->Free();
    delete self;
  }
}

}  // namespace ibcc
