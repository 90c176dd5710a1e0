#include "monitoring/watcher.h"

namespace md::monitoring {

Watcher::Watcher(DataLayout layout, std::optional<BackgroundSchedule> schedule) {
  workspace_ = std::make_unique<Workspace>(std::move(layout), [this] { wake(); });
  if (schedule) workspace_->override_schedule(*schedule);
}

Watcher::~Watcher() {
  workspace_.reset();  // cancels running jobs and joins its workers and timer
}

void Watcher::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

void Watcher::request_stop() {
  stop_ = true;
  wake();
}

void Watcher::run(const std::function<bool()>& stop_requested, std::chrono::milliseconds poll) {
  workspace_->start();
  // A frame now and then even unwoken: the token sweep and the account list are due by the clock.
  constexpr auto kFrameAtLeastEvery = std::chrono::seconds(30);
  auto last_frame = std::chrono::steady_clock::now() - kFrameAtLeastEvery;
  while (!stop_ && !stop_requested()) {
    bool woken = false;
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, poll, [&] { return woken_; });
      woken = woken_;
      woken_ = false;
    }
    const auto now = std::chrono::steady_clock::now();
    if (!woken && now - last_frame < kFrameAtLeastEvery) continue;
    last_frame = now;
    workspace_->frame();
  }
}

}  // namespace md::monitoring
