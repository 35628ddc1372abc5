// openPerfBuffer(): one perf reader per CPU on a BPF_MAP_TYPE_PERF_EVENT_ARRAY,
// each reader's fd watched by libuv.
#include <bcc/libbpf.h>
#include <bcc/perf_reader.h>
#include <bpf/bpf.h>
#include <errno.h>
#include "errors.h"
#include "event_sink.h"
#include "registry.h"
#include "resources.h"
#include "stderr_capture.h"

namespace ibcc {

class PerfBuffer : public EventSink {
 public:
  using EventSink::EventSink;
  std::vector<perf_reader*> readers;

  static void OnRaw(void* cookie, void* raw, int size) { static_cast<PerfBuffer*>(cookie)->Push(raw, size); }
  static void OnLost(void* cookie, uint64_t lost) { static_cast<PerfBuffer*>(cookie)->AddLost(lost); }

 protected:
  void Drain() override {
    for (auto* r : readers) perf_reader_event_read(r);
  }
  void Free() override {
    for (auto* r : readers) perf_reader_free(r);
    readers.clear();
  }
};

// openPerfBuffer(mapFd, cpus[], pageCount, wakeupEvents, callback(slab, dataAt, length, offsetsAt, count, lost), flushMs) -> { handle, fds }
static Napi::Value OpenPerfBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int mapFd = ArgInt(info, 0, "mapFd");
  Napi::Array cpus = info[1].As<Napi::Array>();
  int pages = ArgInt(info, 2, "pageCount"), wakeup = ArgInt(info, 3, "wakeupEvents");
  if (!info[4].IsFunction()) throw Napi::TypeError::New(env, "callback must be a function");
  auto* pb = new PerfBuffer(env, info[4].As<Napi::Function>(), "ibcc.perfBuffer");
  std::vector<int> keys;
  Napi::Array fds = Napi::Array::New(env);
  auto fail = [&](const char* op, int err, const std::string& detail, const std::string& log) {
    for (int cpu : keys) bpf_map_delete_elem(mapFd, &cpu);
    pb->Close();
    Throw(env, op, err, detail, log);
  };
  for (uint32_t i = 0; i < cpus.Length(); i++) {
    int cpu = cpus.Get(i).As<Napi::Number>().Int32Value();
    struct bcc_perf_buffer_opts opts = {-1, cpu, wakeup};
    StderrCapture capture(false);
    auto* reader = (perf_reader*)bpf_open_perf_buffer_opts(PerfBuffer::OnRaw, PerfBuffer::OnLost, pb, pages, &opts);
    int err = errno;
    std::string log = capture.Finish();
    if (!reader) fail("open_perf_buffer", err, "cpu " + std::to_string(cpu), log);
    pb->readers.push_back(reader);
    int fd = perf_reader_fd(reader);
    if (bpf_map_update_elem(mapFd, &cpu, &fd, BPF_ANY) < 0) fail("open_perf_buffer", errno, "map update for cpu " + std::to_string(cpu), "");
    keys.push_back(cpu);
    if (!pb->Watch(fd)) fail("open_perf_buffer", EIO, "cannot watch the buffer of cpu " + std::to_string(cpu), "");
    fds.Set(i, fd);
  }
  pb->DrainSoon();
  if (wakeup > 1 && info.Length() > 5 && info[5].IsNumber()) pb->FlushEvery(info[5].As<Napi::Number>().Uint32Value());
  int id = Resources::Of(env).Add("perf_buffer", [pb, mapFd, keys] {
    // The map stops pointing at our buffers before they go.
    for (int cpu : keys) bpf_map_delete_elem(mapFd, &cpu);
    pb->Close();
  });
  Napi::Object r = Napi::Object::New(env);
  r.Set("handle", id);
  r.Set("fds", fds);
  return r;
}

static Registration reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("openPerfBuffer", Napi::Function::New(env, OpenPerfBuffer));
});

}  // namespace ibcc
