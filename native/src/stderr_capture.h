// libbcc reports clang diagnostics and many failures only by printing to fd 2.
// A StderrCapture points fd 2 at an anonymous file while it lives and hands
// back what was written. One capture at a time, process-wide (fd 2 is shared).
#pragma once
#include <mutex>
#include <string>

namespace ibcc {

class StderrCapture {
 public:
  // wait: block until another capture ends (worker threads); otherwise, if a
  // capture is running, this one does nothing and Finish() returns "".
  explicit StderrCapture(bool wait);
  ~StderrCapture();
  std::string Finish();

 private:
  std::unique_lock<std::mutex> lock_;
  int saved_ = -1;
  int file_ = -1;
};

}  // namespace ibcc
