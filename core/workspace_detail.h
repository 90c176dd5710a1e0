// What the workspace's files share and nothing else uses: a worker's own handles on an account,
// and the hand-offs from a running job to the UI thread. The Workspace is split by concern, one
// file each: workspace.cpp (frame and apply), _accounts, _checks, _sign_in, _sync (and the reset),
// _admin, _schedule (the background timer), _log (the log panel's buffer and the live strip) and
// _files (what the window saves for the user).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "accounts/account.h"
#include "datadir.h"
#include "diagnostics/check_report.h"
#include "oauth/token_endpoint.h"
#include "ops/opened_account.h"
#include "result.h"
#include "store/database.h"
#include "sync/sync.h"
#include "workspace.h"

namespace md::detail {

// Workers open their own connection: one Database per thread.
Result<store::Database> open_store(const DataLayout& layout);

// A worker's own connection and the account opened on it.
struct WorkerAccount {
  std::unique_ptr<store::Database> db;
  ops::OpenedAccount opened;  // its db is the one above
  store::Database& store() { return *db; }
  const accounts::Account& account() const { return opened.account; }
};
Result<WorkerAccount> open_account(const DataLayout& layout, const std::string& name);

// What the window shows when a job ended without its completion (its work threw, or it was
// cancelled before it ran): the runner's error, or that `what` did not run.
Failure lost_job_failure(const std::string& code, const std::string& error, const std::string& what);

// The window's settings as the data dir keeps them (workspace_schedule.cpp).
struct WindowSettings {
  BackgroundSchedule schedule;
  int interface_scale_percent = 100;
};
Result<WindowSettings> read_window_settings(store::Database& db);

}  // namespace md::detail

namespace md {

// A setup sign-in that succeeded: the account as it will be saved (endpoints discovered), and its
// tokens, waiting for Save.
struct Workspace::PendingSetup {
  std::string key;  // accounts::sign_in_key of the draft
  accounts::Account account;
  oauth::TokenSet tokens;
  std::string identity;
};

// Sleeps until the next background work is due, then wakes the UI (whose frame() starts it). One
// thread, idle on a condition variable: an idle window still uses no CPU.
class Workspace::Timer {
 public:
  explicit Timer(std::function<void()> wake);
  ~Timer();
  void wake_at(std::chrono::system_clock::time_point at);

 private:
  void loop();

  std::function<void()> wake_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<std::chrono::system_clock::time_point> at_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace md
