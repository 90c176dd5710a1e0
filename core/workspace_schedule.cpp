// The workspace's background schedule: each account's checks and syncs at the intervals the data
// dir keeps (one background sync at a time, the accounts' rounds spread over the interval), the
// token sweep a minute, and the timer thread that wakes an idle window when something falls due.
// Also the window's settings (schedule, interface scale) in the store's settings table.
#include <algorithm>
#include <limits>

#include "accounts/repository.h"
#include "store/settings.h"
#include "tokens/token_service.h"
#include "workspace.h"
#include "workspace_detail.h"

namespace md {
namespace {

// How often the window looks for access tokens about to expire (refreshing those within
// tokens::kDefaultRefreshMargin): well inside the margin, so none expires unseen.
constexpr auto kTokenSweepEvery = std::chrono::seconds(60);
constexpr const char* kCheckEveryKey = "window.check_every_min";
constexpr const char* kSyncEveryKey = "window.sync_every_min";
constexpr const char* kInterfaceScaleKey = "window.interface_scale_percent";

// Window settings saved together in one transaction (on a worker: it opens the database).
Result<void> save_settings(const DataLayout& layout, std::initializer_list<std::pair<const char*, int>> values) {
  auto db = detail::open_store(layout);
  if (!db) return db.failure();
  return store::guarded([&] {
    store::Transaction tx(db.value());
    for (const auto& [key, value] : values) store::put_setting(db.value(), key, std::to_string(value));
    tx.commit();
  });
}

}  // namespace

namespace detail {

Result<WindowSettings> read_window_settings(store::Database& db) {
  return store::guarded([&] {
    WindowSettings w;
    BackgroundSchedule& b = w.schedule;
    b.check_every_min =
        store::get_int_setting(db, kCheckEveryKey, 0, kMaxBackgroundIntervalMin).value_or(b.check_every_min);
    b.sync_every_min =
        store::get_int_setting(db, kSyncEveryKey, 0, kMaxBackgroundIntervalMin).value_or(b.sync_every_min);
    b.loaded = true;
    // A scale out of range is the nearest it allows; anything else (or nothing) the default.
    const auto percent = store::get_int_setting(db, kInterfaceScaleKey, std::numeric_limits<int>::min(),
                                                std::numeric_limits<int>::max());
    if (percent) w.interface_scale_percent = std::clamp(*percent, kMinInterfaceScalePercent, kMaxInterfaceScalePercent);
    return w;
  });
}

}  // namespace detail

Workspace::Timer::Timer(std::function<void()> wake) : wake_(std::move(wake)), thread_([this] { loop(); }) {}

Workspace::Timer::~Timer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Workspace::Timer::wake_at(std::chrono::system_clock::time_point at) {
  {
    std::lock_guard lock(mu_);
    if (at_ == at) return;
    at_ = at;
  }
  cv_.notify_all();
}

void Workspace::Timer::loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (!at_) {
      cv_.wait(lock);
      continue;
    }
    const auto at = *at_;
    if (cv_.wait_until(lock, at, [&] { return stop_ || at_ != at; })) continue;
    at_.reset();
    lock.unlock();
    wake_();
    lock.lock();
  }
}

namespace {

std::chrono::system_clock::duration stagger(std::chrono::minutes interval, size_t index, size_t count) {
  return count == 0 ? std::chrono::system_clock::duration{}
                    : interval * static_cast<long>(index) / static_cast<long>(count);
}

}  // namespace

void Workspace::run_due_background(std::chrono::system_clock::time_point now) {
  if (!view_.store_ready || !view_.background.loaded) return;
  const BackgroundSchedule& b = view_.background;
  const std::chrono::minutes check_every(b.check_every_min), sync_every(b.sync_every_min);
  if (!token_sweep_running_ && now >= next_token_sweep_) {
    refresh_tokens_in_background();
    next_token_sweep_ = now + kTokenSweepEvery;
  }
  auto next = next_token_sweep_;
  const size_t count = view_.accounts.size();
  for (size_t i = 0; i < count; ++i) {
    const AccountSummary& a = view_.accounts[i];
    Due& d = due_[a.name];
    // A new account (or a new start) waits one interval: what the user opens runs on demand. The
    // accounts' first rounds are spread over the interval, so they never all fall due at once.
    if (d.check == std::chrono::system_clock::time_point{})
      d.check = now + check_every + stagger(check_every, i, count);
    if (d.sync == std::chrono::system_clock::time_point{}) d.sync = now + sync_every + stagger(sync_every, i, count);
    if (b.check_every_min > 0) {
      if (now >= d.check) {
        if (const CheckRun* run = view_.check(a.name); run == nullptr || !run->running) run_checks(a.name);
        d.check = now + check_every;
      }
      next = std::min(next, d.check);
    }
    if (b.sync_every_min > 0) {
      // One background sync at a time: a due one waits for the running one, whose end wakes the
      // window again (its completion), so it is not in the timer's reckoning meanwhile.
      if (now >= d.sync && !background_syncs_.empty()) continue;
      if (now >= d.sync) {
        sync_in_background(a.name);
        d.sync = now + sync_every;
      }
      next = std::min(next, d.sync);
    }
  }
  if (timer_) timer_->wake_at(next);
}

void Workspace::refresh_tokens_in_background() {
  token_sweep_running_ = true;
  jobs_->submit("Refresh tokens before they expire",
                [this](jobs::JobContext& ctx) -> jobs::Completion {
                  std::vector<std::string> changed;  // refreshed, or failed to (their health and token view change)
                  auto db = detail::open_store(layout_);
                  auto v = db ? vault::Vault::open(layout_.vault_key()) : Result<vault::Vault>(db.failure());
                  auto list =
                      v ? accounts::list_accounts(db.value()) : Result<std::vector<accounts::Account>>(v.failure());
                  if (list) {
                    for (const accounts::Account& a : list.value()) {
                      if (ctx.cancelled()) break;
                      if (a.auth != accounts::AuthMethod::oauth2) continue;
                      auto status = tokens::load_status(db.value(), a.name);
                      // Only a saved refresh token can be used without the user; a failed one waits for them.
                      if (!status || !status.value().refreshable || status.value().last_error) continue;
                      if (status.value().seconds_left(now_()) > tokens::kDefaultRefreshMargin.count()) continue;
                      net::ProtoLogTranscript http(*log_, a.name);
                      auto fresh = tokens::fresh_access_token(db.value(), v.value(), a, tokens::kDefaultRefreshMargin,
                                                              false, &http);
                      if (fresh) redactor_->add_secret(fresh.value().access_token);
                      if (!fresh || fresh.value().refreshed) changed.push_back(a.name);
                    }
                  }
                  return [this, changed] {
                    token_sweep_running_ = false;
                    // Once a minute the list is read again too: accounts added or removed in a terminal appear.
                    reload_accounts();
                    if (changed.empty()) return;
                    for (const std::string& name : changed)
                      if (name == view_.token.account && view_.selected == name) load_token(name);
                  };
                },
                {jobs::Lane::network, [this](jobs::JobState, const std::string&) { token_sweep_running_ = false; }});
}

void Workspace::set_interface_scale(int percent) {
  percent = std::clamp(percent, kMinInterfaceScalePercent, kMaxInterfaceScalePercent);
  view_.interface_scale_percent = percent;  // the window follows at once; the disk on a worker
  jobs_->submit("Save the interface scale",
                [this, percent](jobs::JobContext&) -> jobs::Completion {
                  auto saved = save_settings(layout_, {{kInterfaceScaleKey, percent}});
                  return [this, saved] {
                    if (!saved) view_.background_failure = saved.failure();
                  };
                },
                {jobs::Lane::quick, {}});
}

void Workspace::override_schedule(BackgroundSchedule schedule) {
  schedule.check_every_min = std::clamp(schedule.check_every_min, 0, kMaxBackgroundIntervalMin);
  schedule.sync_every_min = std::clamp(schedule.sync_every_min, 0, kMaxBackgroundIntervalMin);
  schedule.loaded = view_.background.loaded;  // nothing runs before the store is open and read
  schedule_override_ = schedule;
  view_.background = schedule;
  due_.clear();
}

void Workspace::set_background(int check_every_min, int sync_every_min) {
  const BackgroundSchedule wanted{std::clamp(check_every_min, 0, kMaxBackgroundIntervalMin),
                                  std::clamp(sync_every_min, 0, kMaxBackgroundIntervalMin), true};
  jobs_->submit("Save the background schedule",
                [this, wanted](jobs::JobContext&) -> jobs::Completion {
                  auto saved = save_settings(
                      layout_, {{kCheckEveryKey, wanted.check_every_min}, {kSyncEveryKey, wanted.sync_every_min}});
                  const std::optional<Failure> failure = saved ? std::nullopt : std::optional<Failure>(saved.failure());
                  return [this, wanted, failure] {
                    view_.background_failure = failure;
                    if (failure) return;
                    view_.background = wanted;
                    due_.clear();  // the new intervals count from now
                  };
                },
                {jobs::Lane::quick, {}});
}

}  // namespace md
