#include "platform/stop_signals.h"

namespace md::platform {
namespace {

volatile std::sig_atomic_t g_stop = 0;

extern "C" void on_stop_signal(int) {
  g_stop = 1;
}

}  // namespace

StopSignals::StopSignals([[maybe_unused]] bool restart_calls) {
  g_stop = 0;
#if defined(_WIN32)
  old_int_ = std::signal(SIGINT, on_stop_signal);
  old_term_ = std::signal(SIGTERM, on_stop_signal);
#else
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = restart_calls ? SA_RESTART : 0;
  sigaction(SIGINT, &sa, &old_int_);
  sigaction(SIGTERM, &sa, &old_term_);
#endif
}

StopSignals::~StopSignals() {
#if defined(_WIN32)
  std::signal(SIGINT, old_int_);
  std::signal(SIGTERM, old_term_);
#else
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
#endif
}

bool StopSignals::stopped() const {
  return g_stop != 0;
}

}  // namespace md::platform
