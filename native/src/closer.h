// Closes in the background what is slow to close. Releasing a perf event fd
// attached to a tracepoint, kprobe or uprobe costs the kernel ~50 ms (it waits
// for an RCU grace period; a raw tracepoint's fd a few ms); one cell's ten
// tracepoints closed one after another held the cell for half a second. Closes handed here run on a few
// threads of their own, several at once (their grace periods overlap), and
// the caller returns at once. Process-wide: fds are the process's.
#pragma once
#include <chrono>
#include <functional>

namespace ibcc {

// Runs close on a closer thread, soon.
void CloseInBackground(std::function<void()> close);

// Blocks until every close handed over before the call has run, or the
// timeout passes; false on timeout. Not on the JS thread.
bool WaitForCloses(std::chrono::milliseconds timeout);

// Closes handed over and not finished yet.
size_t PendingCloses();

}  // namespace ibcc
