// What the window shows, owned in one place: the data dir, the store (opened on a worker, never on
// the UI thread), the job runner and the protocol log. The UI calls frame() once a frame, reads
// view() and hands back Commands; it never touches the disk or the network itself.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "accounts/account.h"
#include "admin/admins.h"
#include "datadir.h"
#include "diagnostics/check_report.h"
#include "jobs/job_runner.h"
#include "protolog/protolog.h"
#include "result.h"
#include "sync/message_store.h"
#include "sync/sync.h"
#include "sync/sync_status.h"
#include "tokens/token_service.h"

namespace md {

enum class Health { unknown, ok, warning, failed };

struct AccountSummary {
  std::string name;
  std::string email;
  std::string provider;
  bool oauth = false;
  int timeout_s = 20;
  Health health = Health::unknown;
};

// One run of the check ladder (an account's, or the quick connectivity test's): the steps appear
// as they finish.
struct CheckRun {
  std::string subject;  // the account's name, or "gmail" / "microsoft" for the quick test
  bool quick = false;
  bool running = false;
  bool cancelling = false;  // asked to stop: ends after the current step
  bool cancelled = false;
  std::chrono::system_clock::time_point started_at;
  std::optional<std::chrono::system_clock::time_point> finished_at;
  std::vector<diagnostics::StepResult> steps;
  std::optional<Failure> error;  // could not start (no database, account gone)
  int step_timeout_s = 20;       // what one step may take at most (for "cancelling..." text)
  jobs::JobId job = 0;
};
// Green, amber or red for a finished run; unknown while it runs or without steps.
Health run_health(const CheckRun& run);

// The sign-in in the browser, when the window runs one.
enum class ConsentState { idle, waiting, succeeded, failed };

// The selected account's token, as the token panel shows it.
struct TokenView {
  std::string account;
  bool loading = false;
  std::optional<tokens::TokenStatus> status;  // nullopt until loaded
  std::optional<Failure> load_error;
  bool refreshing = false;
  std::optional<Failure> refresh_failure;  // the last "Refresh now" (or automatic refresh) failure
  std::optional<std::chrono::system_clock::time_point> refreshed_at;  // last success in this session
  ConsentState consent = ConsentState::idle;
  std::string consent_url;  // to copy when no browser opens
  std::optional<Failure> consent_failure;
  std::string consent_identity;  // who signed in, after success
  // Counts failures seen, so a pop-up asks once per failure rather than once per frame.
  uint64_t failure_serial = 0;
};

// The selected account's mailbox download, as the sync panel shows it.
struct SyncView {
  std::string account;
  bool loading = false;
  std::optional<sync::SyncStatus> status;  // nullopt until loaded
  std::optional<Failure> load_error;
  bool running = false;
  bool cancelling = false;  // asked to stop: ends after the current message
  sync::Progress progress;
  std::optional<sync::SyncSummary> summary;  // the last sync of this session that succeeded
  std::optional<Failure> failure;            // the last sync of this session that failed
  jobs::JobId job = 0;
};

// The admin-gated counter reset: preview (what the next sync downloads again), then the reset
// itself, which verifies the admin's password on the worker just before it writes.
enum class ResetStage { idle, previewing, ready, resetting, done, failed };
struct ResetView {
  std::string account;
  ResetStage stage = ResetStage::idle;
  std::optional<sync::CounterReset> preview;
  std::optional<sync::CounterReset> result;
  std::string admin;  // the audit row's admin and time, after a reset
  std::optional<std::chrono::system_clock::time_point> at;
  std::optional<Failure> failure;  // preview or reset (admin.bad_credentials changes nothing)
};

// Admins of this data dir, and the one signed in to the window (if any).
struct AdminView {
  std::optional<bool> has_admins;  // nullopt until known; false: the first-run prompt
  std::optional<admin::AdminSession> session;
  bool busy = false;               // a sign-in or the first admin's creation on a worker
  std::optional<Failure> failure;  // of the last sign-in or creation
  uint64_t serial = 0;             // counts finished attempts, so a form knows its answer came
};

// The protocol log of the selected account in the shape the log panel draws: all text back to back,
// one small record per line (ExampleAppLog's buffer + line offsets), appended to as lines arrive.
enum class LogProtocol : uint8_t { imap, pop3, smtp, http, app, other };
inline constexpr int kLogProtocolCount = 6;
const char* to_string(LogProtocol p);
LogProtocol parse_log_protocol(std::string_view protocol);

struct LogLine {
  uint32_t begin = 0, end = 0;  // offsets into LogBuffer::text
  LogProtocol protocol = LogProtocol::other;
  protolog::Direction direction = protolog::Direction::info;
};

struct LogBuffer {
  std::string account;
  std::string text;
  std::vector<LogLine> lines;
  // Changes whenever lines are removed or replaced (not when appended), so a panel's caches know
  // to start again.
  uint64_t generation = 0;
  uint64_t last_seq = 0;

  void clear();
  void append(const protolog::Entry& e);
  std::string_view line_text(size_t i) const { return {text.data() + lines[i].begin, lines[i].end - lines[i].begin}; }
};

// A snapshot for one frame: plain data, no locks, no handles.
struct WorkspaceView {
  std::string data_dir;
  bool store_ready = false;
  std::optional<Failure> store_error;
  std::vector<AccountSummary> accounts;
  std::vector<jobs::JobSnapshot> jobs;
  uint64_t log_seq = 0;
  std::chrono::system_clock::time_point now;  // this frame's clock, for countdowns

  std::string selected;                    // the account the panels show ("" for none)
  std::map<std::string, CheckRun> checks;  // by account name, or "quick:gmail" / "quick:microsoft"
  TokenView token;                         // of the selected account
  SyncView sync;                           // of the selected account
  ResetView reset;
  AdminView admin;
  const LogBuffer* log = nullptr;  // of the selected account; owned by the workspace

  const AccountSummary* selected_account() const;
  const CheckRun* check(const std::string& key) const;
};

inline std::string quick_check_key(accounts::Provider p) {
  return std::string("quick:") + accounts::to_string(p);
}

// What panels ask the workspace to do; applied on the UI thread after the frame is drawn.
struct Command {
  enum class Kind {
    select_account,    // account
    reload_accounts,   //
    run_checks,        // account
    run_quick_check,   // provider
    cancel_checks,     // key (account name or quick key)
    refresh_token,     // account
    reauthenticate,    // account: the browser consent flow
    cancel_consent,    //
    clear_log,         //
    sync_now,          // account
    cancel_sync,       //
    load_sync_status,  // account
    preview_reset,     // account
    reset_counter,     // account, user, password: verify_admin then reset_counter on a worker
    close_reset,       // forget the reset flow's state
    admin_sign_in,     // user, password
    admin_sign_out,    //
    add_first_admin,   // user, password: only when no admin exists yet
  };
  Kind kind;
  std::string account = {};
  accounts::Provider provider = accounts::Provider::gmail;
  std::string user = {};
  std::string password = {};  // travels to the worker once; never logged or kept in the view
};

class Workspace {
 public:
  Workspace(DataLayout layout, std::function<void()> wake);
  ~Workspace();

  // Starts background loading; returns at once.
  void start();
  // Re-reads the account list on a worker (after the CLI or another panel changed it).
  void reload_accounts();
  // UI thread, once a frame: runs completions from workers and refreshes the view.
  void frame();
  const WorkspaceView& view() const { return view_; }
  // UI thread: starts what the command asks for on a worker; never waits.
  void apply(const Command& command);

  jobs::JobRunner& jobs() { return *jobs_; }
  protolog::ProtoLog& log() { return *log_; }
  protolog::Redactor& redactor() { return *redactor_; }
  const DataLayout& layout() const { return layout_; }

 private:
  struct LiveSteps;
  struct LiveConsent;
  struct LiveProgress;

  void select(const std::string& account);
  void run_checks(const std::string& account);
  void run_quick_check(accounts::Provider provider);
  void cancel_checks(const std::string& key);
  void load_token(const std::string& account);
  void refresh_token(const std::string& account);
  void reauthenticate(const std::string& account);
  void load_sync(const std::string& account);
  void sync_now(const std::string& account);
  void preview_reset(const std::string& account);
  void reset_counter(const Command& c);
  void load_admins();
  void admin_sign_in(const std::string& user, const std::string& password, bool first_admin);
  void pull_log();
  void pull_live();
  void set_health(const std::string& account, Health health);

  DataLayout layout_;
  std::function<void()> wake_;
  std::unique_ptr<protolog::Redactor> redactor_;
  std::unique_ptr<protolog::ProtoLog> log_;
  WorkspaceView view_;
  LogBuffer log_buffer_;
  std::map<std::string, std::shared_ptr<LiveSteps>> live_steps_;  // running checks, by key
  std::shared_ptr<LiveConsent> live_consent_;
  jobs::JobId consent_job_ = 0;
  std::shared_ptr<LiveProgress> live_progress_;
  std::unique_ptr<jobs::JobRunner> jobs_;  // last: its workers stop before the rest goes away
};

}  // namespace md
