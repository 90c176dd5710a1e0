// The window's background work with no window (`maildoctor serve`): the same Workspace and its
// schedule — tokens refreshed before they expire, periodic checks and syncs under the same sync
// lock as the window and the CLI — driven by a loop that runs a frame whenever a worker or the
// schedule's timer wakes it, instead of by a GUI loop.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>

#include "datadir.h"
#include "workspace.h"

namespace md::monitoring {

class Watcher {
 public:
  // `schedule`: intervals for this run instead of the ones saved in the data dir (nothing saved).
  Watcher(DataLayout layout, std::optional<BackgroundSchedule> schedule);
  ~Watcher();

  // Runs until `stop_requested` returns true; it is asked at least every `poll` (so a signal flag
  // set by a handler is seen within that bound).
  // Destroying the Watcher cancels running work and waits for it: a check step and a message
  // download are each bounded by the account's timeout.
  void run(const std::function<bool()>& stop_requested,
           std::chrono::milliseconds poll = std::chrono::milliseconds(200));

  // Any thread: ends run() at its next poll.
  void request_stop();

 private:
  void wake();

  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;
  std::atomic<bool> stop_{false};
  std::unique_ptr<Workspace> workspace_;  // last: its workers stop before the rest goes away
};

}  // namespace md::monitoring
