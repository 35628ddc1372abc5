// openRingBuffer(): libbpf's ring_buffer over one BPF_MAP_TYPE_RINGBUF, its
// epoll fd watched by libuv.
//
// Losses: the kernel counts no drops for ring buffers (bpf_ringbuf_output and
// bpf_ringbuf_reserve just fail in the program), so there is nothing to read
// here; lost is always 0. A program that wants the figure counts its failed
// reserves in a map of its own.
#include <bcc/libbpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include "errors.h"
#include "event_sink.h"
#include "registry.h"
#include "resources.h"
#include "stderr_capture.h"

namespace ibcc {

class RingBuffer : public EventSink {
 public:
  using EventSink::EventSink;
  struct ring_buffer* rb = nullptr;

  static int OnSample(void* ctx, void* data, size_t size) {
    static_cast<RingBuffer*>(ctx)->Push(data, size);
    return 0;
  }

 protected:
  void Drain() override {
    if (rb) ring_buffer__consume(rb);
  }
  void Free() override {
    if (rb) ring_buffer__free(rb);
    rb = nullptr;
  }
};

// openRingBuffer(mapFd, callback(events, lost)) -> { handle, fds }
static Napi::Value OpenRingBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int mapFd = ArgInt(info, 0, "mapFd");
  if (!info[1].IsFunction()) throw Napi::TypeError::New(env, "callback must be a function");
  auto* rb = new RingBuffer(env, info[1].As<Napi::Function>(), "ibcc.ringBuffer");
  StderrCapture capture(false);
  rb->rb = ring_buffer__new(mapFd, RingBuffer::OnSample, rb, nullptr);
  int err = errno;
  std::string log = capture.Finish();
  if (!rb->rb) {
    rb->Close();
    Throw(env, "open_ring_buffer", err, "", log);
  }
  int fd = ring_buffer__epoll_fd(rb->rb);
  if (!rb->Watch(fd)) {
    rb->Close();
    Throw(env, "open_ring_buffer", EIO, "cannot watch the ring buffer", "");
  }
  rb->DrainSoon();
  int id = Resources::Of(env).Add("ring_buffer", [rb] { rb->Close(); });
  Napi::Object r = Napi::Object::New(env);
  r.Set("handle", id);
  Napi::Array fds = Napi::Array::New(env, 1);
  fds.Set(0u, fd);
  r.Set("fds", fds);
  return r;
}

static Registration reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("openRingBuffer", Napi::Function::New(env, OpenRingBuffer));
});

}  // namespace ibcc
