// SIGINT and SIGTERM (Ctrl-C, `kill`, `systemctl stop`) as a flag a long-running command polls:
// `log --follow` and `serve`. One process-wide flag: one such command runs at a time.
#pragma once

#include <csignal>

namespace md::platform {

// Installs the stop handlers for its lifetime, then puts the previous ones back.
class StopSignals {
 public:
  // `restart_calls`: system calls the signal interrupts resume (SA_RESTART), for commands whose
  // worker threads are in the middle of network reads; without it a sleep is cut short.
  explicit StopSignals(bool restart_calls = false);
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  bool stopped() const;

 private:
#if defined(_WIN32)
  void (*old_int_)(int) = nullptr;
  void (*old_term_)(int) = nullptr;
#else
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
#endif
};

}  // namespace md::platform
