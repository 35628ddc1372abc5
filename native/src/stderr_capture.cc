#include "stderr_capture.h"
#include <stdio.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <iostream>

namespace ibcc {

static std::mutex g_stderr_mutex;

StderrCapture::StderrCapture(bool wait)
    : lock_(g_stderr_mutex, std::defer_lock) {
  if (wait) lock_.lock();
  else if (!lock_.try_lock()) return;
  fflush(stderr);
  std::cerr.flush();
  // A file, not a pipe: clang may write more than a pipe holds before anyone reads.
  file_ = memfd_create("ibcc-stderr", MFD_CLOEXEC);
  if (file_ < 0) return;
  saved_ = fcntl(2, F_DUPFD_CLOEXEC, 3);
  if (saved_ < 0 || dup2(file_, 2) < 0) {
    if (saved_ >= 0) close(saved_);
    close(file_);
    saved_ = file_ = -1;
  }
}

std::string StderrCapture::Finish() {
  std::string out;
  if (file_ < 0) return out;
  fflush(stderr);
  std::cerr.flush();
  dup2(saved_, 2);
  close(saved_);
  saved_ = -1;
  lseek(file_, 0, SEEK_SET);
  char buf[8192];
  ssize_t n;
  while ((n = read(file_, buf, sizeof buf)) > 0) out.append(buf, n);
  close(file_);
  file_ = -1;
  return out;
}

StderrCapture::~StderrCapture() { Finish(); }

}  // namespace ibcc
