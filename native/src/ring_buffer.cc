// openRingBuffer(): libbpf's ring_buffer over one BPF_MAP_TYPE_RINGBUF, its
// epoll fd watched by libuv.
//
// Losses: the kernel counts no drops for ring buffers (bpf_ringbuf_output and
// bpf_ringbuf_reserve just fail in the program), so there is nothing to read
// here; lost is always 0. What the reader can see is how full the ring was
// when each read began (producer - consumer position over the ring's size):
// a ring that reached full may have refused submits. A program that wants the
// figure counts its failed reserves in a map of its own.
//
// The kernel wakes a ring's reader whenever the reader has caught up, which for
// a busy producer is after every few events; reads are paced (EventSink::PaceFor).
#include <bcc/libbpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>
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
  // Read-only maps of the ring's consumer and producer pages (libbpf 1.1 does
  // not expose its own), and the ring's data size in bytes.
  const unsigned long* consumer = nullptr;
  const unsigned long* producer = nullptr;
  size_t size = 0, page = 0;

  static int OnSample(void* ctx, void* data, size_t size) {
    static_cast<RingBuffer*>(ctx)->Push(data, size);
    return 0;
  }

  void MapPositions(int mapFd) {
    struct bpf_map_info info = {};
    __u32 len = sizeof(info);
    if (bpf_obj_get_info_by_fd(mapFd, &info, &len) < 0 || info.max_entries == 0) return;
    page = (size_t)sysconf(_SC_PAGESIZE);
    void* c = mmap(nullptr, page, PROT_READ, MAP_SHARED, mapFd, 0);
    void* p = mmap(nullptr, page, PROT_READ, MAP_SHARED, mapFd, (off_t)page);
    if (c == MAP_FAILED || p == MAP_FAILED) {
      if (c != MAP_FAILED) munmap(c, page);
      if (p != MAP_FAILED) munmap(p, page);
      return;
    }
    consumer = static_cast<const unsigned long*>(c);
    producer = static_cast<const unsigned long*>(p);
    size = info.max_entries;
  }

 protected:
  void Drain() override {
    if (!rb) return;
    if (size) {
      unsigned long cons = __atomic_load_n(consumer, __ATOMIC_ACQUIRE);
      unsigned long prod = __atomic_load_n(producer, __ATOMIC_ACQUIRE);
      SawFill((double)(prod - cons) / (double)size);
    }
    ring_buffer__consume(rb);
  }
  void Free() override {
    if (rb) ring_buffer__free(rb);
    rb = nullptr;
    if (consumer) munmap(const_cast<unsigned long*>(consumer), page);
    if (producer) munmap(const_cast<unsigned long*>(producer), page);
    consumer = producer = nullptr;
  }
};

// openRingBuffer(mapFd, callback(slab, dataAt, length, offsetsAt, count, lost, fill)) -> { handle, fds }
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
  rb->MapPositions(mapFd);
  rb->PaceFor(rb->size);
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
