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
#include <variant>
#include <vector>

#include "accounts/account.h"
#include "accounts/draft.h"
#include "admin/admins.h"
#include "datadir.h"
#include "diagnostics/check_report.h"
#include "jobs/job_runner.h"
#include "ops/account_ops.h"
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
  bool device_code = false;  // the provider offers the device code sign-in (no browser needed here)
  int timeout_s = 20;
  Health health = Health::unknown;
  // Set while the sign-in cannot renew itself (the refresh was refused with invalid_grant, or the
  // access token expired with no refresh token): the re-authentication pop-up or banner names it.
  std::optional<Failure> dead_sign_in;
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
  bool stored = false;           // the last check of an earlier session, read back from the store
  int step_timeout_s = 20;       // what one step may take at most (for "cancelling..." text)
  jobs::JobId job = 0;
};
// Green, amber or red for a finished run; unknown while it runs or without steps.
Health run_health(const CheckRun& run);

// A sign-in the window runs: in a browser (consent flow with a loopback redirect), or with a device
// code typed on another device. Re-authentication and the setup flow show the same thing.
enum class ConsentState { idle, waiting, succeeded, failed };
enum class SignInMode { browser, device };
struct SignInProgress {
  ConsentState state = ConsentState::idle;
  SignInMode mode = SignInMode::browser;
  std::string url;                          // browser: the sign-in address, to copy when none opens
  std::string user_code, verification_uri;  // device: the code to type, and where
  std::optional<std::chrono::system_clock::time_point> code_expires_at;
  std::string identity;                     // who signed in, after success
  std::vector<std::string> granted_scopes;  // after success
  std::string mail_scope;                   // the scope the identity and scope checks required
  std::optional<Failure> failure;
};

// The selected account's token, as the token panel shows it.
struct TokenView {
  std::string account;
  bool loading = false;
  std::optional<tokens::TokenStatus> status;  // nullopt until loaded
  std::optional<Failure> load_error;
  bool refreshing = false;
  std::optional<Failure> refresh_failure;  // the last "Refresh now" (or automatic refresh) failure
  std::optional<std::chrono::system_clock::time_point> refreshed_at;  // last success in this session
  SignInProgress sign_in;                                             // re-authentication
  // Counts failures seen, so a pop-up asks once per failure rather than once per frame.
  uint64_t failure_serial = 0;
};

// A new account being set up: the sign-in (its tokens wait in the workspace until Save, for the
// draft whose sign_in_key they were made for), then Save, which writes the account, its secrets and
// tokens and runs the checks.
enum class SetupSave { idle, saving, saved, failed };
struct SetupView {
  SignInProgress sign_in;
  std::string signed_in_key;  // accounts::sign_in_key of the draft the sign-in succeeded for
  SetupSave save = SetupSave::idle;
  std::optional<Failure> save_failure;
  std::string saved_account;  // after Save
};

// Editing or removing a saved account (Edit, Change password, Remove in the accounts list).
enum class AccountEditStage { closed, loading, editing, saving, saved, removing, removed, failed };
struct AccountEditView {
  std::string account;
  AccountEditStage stage = AccountEditStage::closed;
  std::optional<accounts::AccountDraft> draft;  // the saved settings as the form shows them; no secret
  std::optional<ops::SyncFootprint> footprint;  // what removing it forgets: then it needs an admin
  std::optional<Failure> failure;               // of loading, saving or removing
  uint64_t serial = 0;                          // counts finished saves and removals
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
  std::string admin;                                                   // the audit row's admin and time, after a reset
  admin::Confirmation confirmed_with = admin::Confirmation::password;  // ... and how they confirmed it
  std::optional<std::chrono::system_clock::time_point> at;
  std::optional<Failure> failure;  // preview or reset (admin.bad_credentials changes nothing)
};

// A file the window writes for the user on a worker (a support report, a copy of the log): where it
// went, or why not.
struct SavedFileView {
  std::string account;
  bool saving = false;
  std::string path;  // after success
  std::optional<Failure> failure;
};

// What the window does on its own, per account (0 minutes: never). Kept in the settings table, so a
// data dir keeps its choice. Tokens are always refreshed before they expire.
struct BackgroundSchedule {
  int check_every_min = 15;  // the account's checks (the red crosses appear without anyone asking)
  int sync_every_min = 30;   // a mailbox download
  bool loaded = false;       // read from the data dir; nothing runs before
};
inline constexpr int kMaxBackgroundIntervalMin = 24 * 60;

// Settings > Interface scale, on top of the monitor's own content scale (kept in the data dir).
inline constexpr int kMinInterfaceScalePercent = 100, kMaxInterfaceScalePercent = 250;

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
  bool reading = false;  // a long log is being read on a worker; its lines arrive all at once

  void clear();
  void append(const protolog::Entry& e);
  std::string_view line_text(size_t i) const { return {text.data() + lines[i].begin, lines[i].end - lines[i].begin}; }
};

// What the live strip beside every tab follows: the newest protocol log lines of one subject (the
// selected account, or the draft being set up, whose sign-in is logged under its name).
inline constexpr size_t kLiveTailLines = 5;
struct LiveTail {
  std::string subject;                 // "" for none
  std::vector<protolog::Entry> lines;  // oldest first, at most kLiveTailLines
};

// A snapshot for one frame: plain data, no locks, no handles.
struct WorkspaceView {
  std::string data_dir;
  // What protects the vault's key ("Secret Service (GNOME Keyring)", "key file (owner-only, mode
  // 0600)", "DPAPI (current user)", "no key yet"), read with the accounts off the UI thread; empty
  // until then. key_problem: the key is kept somewhere it cannot be read from.
  std::string key_protection;
  std::optional<Failure> key_problem;
  bool store_ready = false;
  std::optional<Failure> store_error;
  std::vector<AccountSummary> accounts;
  std::vector<jobs::JobSnapshot> jobs;
  uint64_t log_seq = 0;
  std::chrono::system_clock::time_point now;  // this frame's clock, for countdowns

  std::string selected;                    // the account the panels show ("" for none)
  std::map<std::string, CheckRun> checks;  // by account name, or "quick:gmail" / "quick:microsoft"
  TokenView token;                         // of the selected account
  SetupView setup;                         // the "Add account" flow
  AccountEditView edit;                    // Edit / Change password / Remove of a saved account
  SyncView sync;                           // of the selected account
  ResetView reset;
  AdminView admin;
  SavedFileView report;    // "Save report..." of the diagnostics panel
  SavedFileView log_file;  // "Save..." of the protocol log panel
  BackgroundSchedule background;
  int interface_scale_percent = 100;
  std::optional<Failure> background_failure;  // the last background setting that could not be saved
  const LogBuffer* log = nullptr;             // of the selected account; owned by the workspace
  LiveTail live;                              // the live strip's subject and its newest log lines

  const AccountSummary* selected_account() const;
  const CheckRun* check(const std::string& key) const;
};

inline std::string quick_check_key(accounts::Provider p) {
  return std::string("quick:") + accounts::to_string(p);
}

// What panels ask the workspace to do: one struct per command, each with the fields it needs.
// Applied on the UI thread after the frame is drawn. Passwords and the setup form's secrets travel
// to a worker once; they are never logged or kept in the view.
namespace cmd {
struct SelectAccount {
  std::string account;
};
struct ReloadAccounts {};
struct RunChecks {
  std::string account;
};
struct RunQuickCheck {
  accounts::Provider provider = accounts::Provider::gmail;
};
struct CancelChecks {
  std::string key;
};  // an account's name, or a quick_check_key
struct RefreshToken {
  std::string account;
};
struct Reauthenticate {
  std::string account;
  bool device = false;  // a device code instead of the browser consent flow
};
struct CancelConsent {};  // the sign-in running (re-authentication or setup)
struct SetupSignIn {      // sign in for an account not saved yet
  std::shared_ptr<const accounts::AccountDraft> draft;
  bool device = false;
};
struct SetupSave {  // save the account (with the setup's tokens), then run its checks
  std::shared_ptr<const accounts::AccountDraft> draft;
};
struct SetupClear {};  // start the setup flow again: forget its tokens and results
struct ClearLog {};
struct SyncNow {
  std::string account;
};
struct CancelSync {};
struct LoadSyncStatus {
  std::string account;
};
struct PreviewReset {
  std::string account;
};
// confirm_admin then reset_counter on a worker; no user: the window's admin, signed in within
// admin::kRecentSignIn.
struct ResetCounter {
  std::string account, user, password;
};
struct CloseReset {};  // forget the reset flow's state
struct AdminSignIn {
  std::string user, password;
};
struct AdminSignOut {};
struct AddFirstAdmin {
  std::string user, password;
};  // only when no admin exists yet
struct SetBackground {
  int check_every_min = 0, sync_every_min = 0;
};  // saved in the data dir
struct SaveReport {
  std::string account;
};  // the support report (HTML) into reports/
struct SaveLog {
  std::string account;
};  // its redacted protocol log lines into reports/
struct EditOpen {
  std::string account;
};                 // its settings into the edit form, and its footprint
struct EditSave {  // the settings and any secret typed (ops::edit_account)
  std::string account;
  std::shared_ptr<const accounts::AccountDraft> draft;
};
// The window's admin session confirms it when user is empty.
struct EditRemove {
  std::string account, user, password;
};
struct EditClose {};
struct SetInterfaceScale {
  int percent = 100;
};  // Settings > Interface scale, saved in the data dir
struct WatchLive {
  std::string subject;
};  // whose newest log lines the live strip shows
}  // namespace cmd

using Command =
    std::variant<cmd::SelectAccount, cmd::ReloadAccounts, cmd::RunChecks, cmd::RunQuickCheck, cmd::CancelChecks,
                 cmd::RefreshToken, cmd::Reauthenticate, cmd::CancelConsent, cmd::SetupSignIn, cmd::SetupSave,
                 cmd::SetupClear, cmd::ClearLog, cmd::SyncNow, cmd::CancelSync, cmd::LoadSyncStatus, cmd::PreviewReset,
                 cmd::ResetCounter, cmd::CloseReset, cmd::AdminSignIn, cmd::AdminSignOut, cmd::AddFirstAdmin,
                 cmd::SetBackground, cmd::SaveReport, cmd::SaveLog, cmd::EditOpen, cmd::EditSave, cmd::EditRemove,
                 cmd::EditClose, cmd::SetInterfaceScale, cmd::WatchLive>;

class Workspace {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  // `now` is the clock the schedule, countdowns and admin sessions read (tests pass their own).
  Workspace(DataLayout layout, std::function<void()> wake, Clock now = {});
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
  // The background schedule for this run, instead of the one saved in the data dir (which stays as
  // it is): the headless watcher's --check-every / --sync-every.
  void override_schedule(BackgroundSchedule schedule);
  // What opens the sign-in page, instead of the browser the environment names (--browser,
  // MAILDOCTOR_BROWSER, BROWSER, the platform's): tests act as the browser. Before start().
  using BrowserLauncher = std::function<Result<void>(const std::string& url)>;
  void set_browser_launcher(BrowserLauncher launcher) { browser_launcher_ = std::move(launcher); }

  jobs::JobRunner& jobs() { return *jobs_; }
  protolog::ProtoLog& log() { return *log_; }
  protolog::Redactor& redactor() { return *redactor_; }
  const DataLayout& layout() const { return layout_; }

 private:
  struct PendingSetup;
  class Timer;

 public:
  // What a sign-in's worker uses to change what the user sees while it waits (the address to
  // open, the device code): the change runs on the UI thread.
  using ShowLive = std::function<void(std::function<void(SignInProgress&)>)>;

 private:
  // Starts a sign-in job (one at a time) whose progress goes to the token view or the setup view.
  jobs::JobId start_sign_in(const std::string& title, bool for_setup, SignInMode mode,
                            std::function<jobs::Completion(jobs::JobContext&, const ShowLive&)> work);
  // Marks a check run ended with no report (its job was lost: it threw, or never ran).
  void end_check_run(const std::string& key, jobs::JobId job, jobs::JobState state, const std::string& error);

  void select(const std::string& account);
  void run_checks(const std::string& account);
  void run_quick_check(accounts::Provider provider);
  void cancel_checks(const std::string& key);
  void load_token(const std::string& account);
  void refresh_token(const std::string& account);
  void reauthenticate(const std::string& account, SignInMode mode);
  void setup_sign_in(const accounts::AccountDraft& draft, SignInMode mode);
  void setup_save(const accounts::AccountDraft& draft);
  void setup_clear();
  // workspace_accounts.cpp: Edit, Change password and Remove of a saved account.
  void set_interface_scale(int percent);
  void edit_open(const std::string& account);
  void edit_save(const std::string& account, const accounts::AccountDraft& draft);
  void edit_remove(const std::string& account, const std::string& user, const std::string& password);
  SignInProgress* sign_in_view();  // the progress the running sign-in updates
  void load_sync(const std::string& account);
  // The account's stored last check, shown until a run of this session replaces it.
  void load_stored_check(const std::string& account);
  void sync_now(const std::string& account);
  void preview_reset(const std::string& account);
  void reset_counter(const cmd::ResetCounter& c);
  void end_sync_run(jobs::JobId job, jobs::JobState state, const std::string& error);
  // One sync of the account on this worker (ops::sync_account with the window's log and redactor).
  Result<sync::SyncSummary> sync_on_worker(const std::string& name, jobs::JobContext& ctx,
                                           std::function<void(const sync::Progress&)> on_progress);
  void load_admins();
  void admin_sign_in(const std::string& user, const std::string& password, bool first_admin);
  void pull_log();
  // Starts the log panel's buffer afresh for `name` (a long log is read on a worker).
  void read_log(const std::string& name);
  void clear_log();
  void watch_live(const std::string& subject);
  // Starts what the schedule says is due (UI thread, from frame()) and sets the timer for the next.
  void run_due_background(std::chrono::system_clock::time_point now);
  void refresh_tokens_in_background();
  void sync_in_background(const std::string& account);
  void set_background(int check_every_min, int sync_every_min);
  void save_report(const std::string& account);
  void save_log(const std::string& account);
  // Writes a file for the user on a quick worker (`write` returns where it went) and shows the
  // answer in view_.*slot: the report's or the log's.
  void save_file(SavedFileView WorkspaceView::*slot, const std::string& name, const std::string& title,
                 std::function<Result<std::string>()> write);
  void set_health(const std::string& account, Health health);
  void set_dead_sign_in(const std::string& account, std::optional<Failure> failure);

  DataLayout layout_;
  std::function<void()> wake_;
  Clock now_;
  BrowserLauncher browser_launcher_;  // empty: the environment's browser
  std::unique_ptr<protolog::Redactor> redactor_;
  std::unique_ptr<protolog::ProtoLog> log_;
  WorkspaceView view_;
  LogBuffer log_buffer_;
  uint64_t log_read_serial_ = 0;  // the newest read_log(): an older read's completion is ignored
  uint64_t live_seq_ = 0;         // how far the live strip's subject has been looked for in the log
  jobs::JobId consent_job_ = 0;
  bool consent_for_setup_ = false;  // which view the running sign-in belongs to
  uint64_t sign_in_serial_ = 0;     // the newest sign-in: an older one's completion is ignored
  // The setup's sign-in, kept here (never in the view) until Save or a new sign-in.
  std::shared_ptr<PendingSetup> pending_setup_;
  // When each account's next background check and sync are due, and the next token sweep.
  struct Due {
    std::chrono::system_clock::time_point check, sync;
  };
  std::map<std::string, Due> due_;
  std::optional<BackgroundSchedule> schedule_override_;
  std::chrono::system_clock::time_point next_token_sweep_{};
  bool token_sweep_running_ = false;
  std::map<std::string, jobs::JobId> background_syncs_;  // running (at most one at a time), by account
  std::unique_ptr<Timer> timer_;                         // wakes the UI when background work falls due
  std::unique_ptr<jobs::JobRunner> jobs_;                // last: its workers stop before the rest goes away
};

}  // namespace md
