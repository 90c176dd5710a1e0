#include "workspace.h"

#include <charconv>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>
#include "workspace_detail.h"

#include "accounts/presets.h"
#include "accounts/repository.h"
#include "diagnostics/ladder.h"
#include "diagnostics/last_check.h"
#include "diagnostics/quick_check.h"
#include "oauth/consent_flow.h"
#include "oauth/device_flow.h"
#include "oauth/discovery.h"
#include "oauth/identity.h"
#include "oauth/token_endpoint.h"
#include "report/support_report.h"
#include "store/database.h"
#include "store/schema.h"
#include "sync/sync_lock.h"
#include "util/time.h"
#include "vault/vault.h"

namespace md {

using detail::open_account;
using detail::Opened;

namespace {

constexpr size_t kLogRingCapacity = 200'000;
// A selected account with more lines than this has its log panel's buffer built on a worker.
constexpr size_t kLogReadInlineLines = 2'000;
constexpr size_t kLogReadBatchLines = 4'096;
// The panel's copy of one account's log keeps at most this many lines; beyond it the oldest half
// goes, so appending stays cheap.
constexpr size_t kLogBufferMaxLines = 200'000;
// A consent wait and a silent host each hold a worker for minutes: enough workers that loading an
// account's token never queues behind them.
constexpr unsigned kWorkers = 4;
// How long the window trusts an admin's sign-in (AdminSession leaves it to the window): long enough
// for a support session, short enough that a window left open does not stay an admin's.
constexpr auto kAdminSessionTtl = std::chrono::minutes(30);
// How often the window looks for access tokens about to expire (refreshing those within
// tokens::kDefaultRefreshMargin): well inside the margin, so none expires unseen.
constexpr auto kTokenSweepEvery = std::chrono::seconds(60);
constexpr const char* kCheckEveryKey = "window.check_every_min";
constexpr const char* kSyncEveryKey = "window.sync_every_min";

// The schedule saved in the data dir; the defaults where nothing (or nonsense) is saved.
constexpr const char* kInterfaceScaleKey = "window.interface_scale_percent";

// One window setting into the settings table (the caller's transaction, if any). Throws store::Error.
void write_setting(store::Database& db, std::string_view key, int value) {
  db.prepare("INSERT INTO settings(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
      .bind(1, key)
      .bind(2, std::to_string(value))
      .run();
}

// Window settings saved together in one transaction (on a worker: it opens the database).
Result<void> save_settings(const DataLayout& layout, std::initializer_list<std::pair<const char*, int>> values) {
  auto db = store::Database::open(layout.database(), store::schema());
  if (!db) return db.failure();
  try {
    store::Transaction tx(db.value());
    for (const auto& [key, value] : values) write_setting(db.value(), key, value);
    tx.commit();
    return {};
  } catch (const store::Error& e) {
    return store::to_failure(e);
  }
}

// Settings > Interface scale as saved; 100 when unset or not a percentage it allows.
int read_interface_scale(store::Database& db) {
  auto st = db.prepare("SELECT value FROM settings WHERE key = ?");
  st.bind(1, kInterfaceScaleKey);
  if (!st.step()) return 100;
  const std::string value = st.column_text(0);
  int percent = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), percent);
  if (ec != std::errc() || ptr != value.data() + value.size()) return 100;
  return std::clamp(percent, kMinInterfaceScalePercent, kMaxInterfaceScalePercent);
}

BackgroundSchedule read_schedule(store::Database& db) {
  BackgroundSchedule b;
  auto st = db.prepare("SELECT key, value FROM settings WHERE key IN (?, ?)");
  st.bind(1, kCheckEveryKey).bind(2, kSyncEveryKey);
  while (st.step()) {
    int minutes = 0;
    const std::string value = st.column_text(1);
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), minutes);
    if (ec != std::errc() || ptr != value.data() + value.size() || minutes < 0 || minutes > kMaxBackgroundIntervalMin)
      continue;
    (st.column_text(0) == kCheckEveryKey ? b.check_every_min : b.sync_every_min) = minutes;
  }
  b.loaded = true;
  return b;
}

using diagnostics::StepResult;
using diagnostics::StepStatus;

// Why the account's sign-in cannot renew itself any more, if it cannot. Throws store::Error.
std::optional<Failure> dead_sign_in(store::Database& db, const accounts::Account& a) {
  if (a.auth != accounts::AuthMethod::oauth2) return std::nullopt;
  auto status = tokens::load_status(db, a.name);
  if (!status) return std::nullopt;
  const tokens::TokenStatus& s = status.value();
  if (s.sign_in_dead()) return s.last_error;
  if (s.signed_in && !s.refresh_token_saved && s.seconds_left(std::chrono::system_clock::now()) <= 0)
    return Failure{"oauth.invalid_grant", "The access token has expired and there is no refresh token."};
  return std::nullopt;
}

// Red when the last token refresh failed, amber when an OAuth account has not signed in yet;
// otherwise the last check's colour, grey when it never ran. Throws store::Error.
Health account_health(store::Database& db, const accounts::Account& a) {
  if (a.auth == accounts::AuthMethod::oauth2) {
    auto st = db.prepare(
        "SELECT (SELECT last_error FROM token_state WHERE account = ?1), "
        "(SELECT count(*) FROM secrets WHERE account = ?1 AND kind IN ('access_token', 'refresh_token'))");
    st.bind(1, a.name);
    if (st.step()) {
      if (!st.is_null(0)) return Health::failed;
      if (st.column_int(1) == 0) return Health::warning;
    }
  }
  // The last report `check` or the window saved: the colour of its worst step.
  auto text = diagnostics::load_last_check(db, a.name);
  auto report = text ? diagnostics::parse_check_report(*text) : std::nullopt;
  if (!report) return Health::unknown;
  Health h = Health::ok;
  for (const StepResult& s : report->steps) {
    if (s.status == StepStatus::fail) return Health::failed;
    if (s.status == StepStatus::warn) h = Health::warning;
  }
  return h;
}

Result<tokens::TokenStatus> read_status(const DataLayout& layout, const std::string& name) {
  auto db = store::Database::open(layout.database(), store::schema());
  if (!db) return db.failure();
  return tokens::load_status(db.value(), name);
}

// The password from the vault, or a fresh access token (as the CLI's sign_in_secret): the worker's
// redactor learns it before anything can log it.
Result<std::string> sign_in_secret(Opened& o, net::Transcript* http, protolog::Redactor& redactor) {
  if (o.account.auth == accounts::AuthMethod::password) {
    auto pw = vault::get_secret(o.db, o.vault, o.account.name, "password");
    if (!pw) return pw.failure();
    if (!pw.value()) return Failure{"auth.no_password", "no password is saved for '" + o.account.name + "'"};
    redactor.add_secret(*pw.value());
    return *pw.value();
  }
  auto fresh = tokens::fresh_access_token(o.db, o.vault, o.account, tokens::kDefaultRefreshMargin, false, http);
  if (!fresh) return fresh.failure();
  redactor.add_secret(fresh.value().access_token);
  return fresh.value().access_token;
}

Result<sync::SyncStatus> read_sync_status(const DataLayout& layout, const std::string& name) {
  auto db = store::Database::open(layout.database(), store::schema());
  if (!db) return db.failure();
  auto account = accounts::load_account(db.value(), name);
  if (!account) return account.failure();
  std::optional<accounts::Protocol> protocol;
  if (auto p = sync::sync_protocol(account.value(), std::nullopt)) protocol = p.value();
  try {
    return sync::load_sync_status(db.value(), name, protocol);
  } catch (const store::Error& e) {
    return store::to_failure(e);
  }
}

}  // namespace

namespace detail {

Result<Opened> open_account(const DataLayout& layout, const std::string& name) {
  auto db = store::Database::open(layout.database(), store::schema());
  if (!db) return db.failure();
  auto account = accounts::load_account(db.value(), name);
  if (!account) return account.failure();
  auto v = vault::Vault::open(layout.vault_key());
  if (!v) return v.failure();
  return Opened{std::move(db).value(), std::move(v).value(), std::move(account).value()};
}

}  // namespace detail

// A running sync's progress, handed from its worker to the UI thread.
struct Workspace::LiveProgress {
  std::mutex mu;
  sync::Progress progress;
};

// Steps a running check has finished, handed from its worker to the UI thread.
struct Workspace::LiveSteps {
  std::mutex mu;
  std::vector<StepResult> steps;
};

// What a running sign-in shows before it ends (the address to copy, the device code), handed from
// its worker to the UI thread.
struct Workspace::LiveConsent {
  std::mutex mu;
  std::string url;
  std::string user_code, verification_uri;
  std::optional<std::chrono::system_clock::time_point> code_expires_at;
};

// A setup sign-in that succeeded: the account as it will be saved (endpoints discovered), and its
// tokens, waiting for Save.
struct Workspace::PendingSetup {
  std::string key;  // accounts::sign_in_key of the draft
  accounts::Account account;
  oauth::TokenSet tokens;
  std::string identity;
};

Health run_health(const CheckRun& run) {
  if (run.running || run.steps.empty()) return run.error ? Health::failed : Health::unknown;
  Health h = Health::ok;
  for (const StepResult& s : run.steps) {
    if (s.status == StepStatus::fail) return Health::failed;
    if (s.status == StepStatus::warn) h = Health::warning;
  }
  // A run stopped half-way proves nothing good: it must not turn an account green.
  return run.cancelled ? Health::unknown : h;
}

const char* to_string(LogProtocol p) {
  switch (p) {
    case LogProtocol::imap: return "IMAP";
    case LogProtocol::pop3: return "POP3";
    case LogProtocol::smtp: return "SMTP";
    case LogProtocol::http: return "HTTP";
    case LogProtocol::app: return "App";
    case LogProtocol::other: return "Other";
  }
  return "Other";
}

LogProtocol parse_log_protocol(std::string_view p) {
  if (p == "imap") return LogProtocol::imap;
  if (p == "pop3") return LogProtocol::pop3;
  if (p == "smtp") return LogProtocol::smtp;
  if (p == "http") return LogProtocol::http;
  if (p == "app") return LogProtocol::app;
  return LogProtocol::other;
}

void LogBuffer::clear() {
  text.clear();
  lines.clear();
  ++generation;
}

void LogBuffer::append(const protolog::Entry& e) {
  if (lines.size() >= kLogBufferMaxLines) {
    // Drop the oldest half in one go: amortised O(1) per line, and the offsets stay 32-bit.
    const size_t keep_from = lines.size() / 2;
    const uint32_t cut = lines[keep_from].begin;
    text.erase(0, cut);
    lines.erase(lines.begin(), lines.begin() + static_cast<std::ptrdiff_t>(keep_from));
    for (LogLine& l : lines) {
      l.begin -= cut;
      l.end -= cut;
    }
    ++generation;
  }
  LogLine line;
  line.begin = static_cast<uint32_t>(text.size());
  // "10:00:00.123 imap C: A1 NOOP": the date is the same all day, the time says when.
  const std::string stamp = util::format_iso8601_ms(e.at);
  text += stamp.size() > 11 ? std::string_view(stamp).substr(11, 12) : std::string_view(stamp);
  text += ' ';
  text += e.protocol.empty() ? "-" : e.protocol;
  text += e.direction == protolog::Direction::client   ? " C: "
          : e.direction == protolog::Direction::server ? " S: "
                                                       : " *: ";
  text += e.text;
  line.end = static_cast<uint32_t>(text.size());
  line.protocol = parse_log_protocol(e.protocol);
  line.direction = e.direction;
  lines.push_back(line);
  last_seq = e.seq;
}

const AccountSummary* WorkspaceView::selected_account() const {
  for (const AccountSummary& a : accounts)
    if (a.name == selected) return &a;
  return nullptr;
}

const CheckRun* WorkspaceView::check(const std::string& key) const {
  auto it = checks.find(key);
  return it == checks.end() ? nullptr : &it->second;
}

// Sleeps until the next background work is due, then wakes the UI (whose frame() starts it). One
// thread, idle on a condition variable: an idle window still uses no CPU.
class Workspace::Timer {
 public:
  explicit Timer(std::function<void()> wake) : wake_(std::move(wake)), thread_([this] { loop(); }) {}
  ~Timer() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void wake_at(std::chrono::system_clock::time_point at) {
    {
      std::lock_guard lock(mu_);
      if (at_ == at) return;
      at_ = at;
    }
    cv_.notify_all();
  }

 private:
  void loop() {
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

  std::function<void()> wake_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<std::chrono::system_clock::time_point> at_;
  bool stop_ = false;
  std::thread thread_;
};

Workspace::Workspace(DataLayout layout, std::function<void()> wake)
    : layout_(std::move(layout)), wake_(wake), redactor_(std::make_unique<protolog::Redactor>()) {
  log_ = std::make_unique<protolog::ProtoLog>(
      kLogRingCapacity,
      [r = redactor_.get()](std::string_view line, protolog::Direction d) { return r->redact(line, d); },
      layout_.logs_dir());
  view_.data_dir = layout_.root.string();
  view_.log = &log_buffer_;
  if (wake) timer_ = std::make_unique<Timer>(wake);
  jobs_ = std::make_unique<jobs::JobRunner>(kWorkers, std::move(wake));
}

Workspace::~Workspace() {
  timer_.reset();
  jobs_.reset();
}

void Workspace::start() {
  reload_accounts();
  load_admins();
}

void Workspace::reload_accounts() {
  jobs_->submit("Load the accounts", [this](jobs::JobContext&) -> jobs::Completion {
    std::optional<Failure> error;
    std::vector<AccountSummary> accounts;
    BackgroundSchedule schedule;
    int interface_scale = 100;
    try {
      if (auto prepared = prepare_data_dir(layout_.root); !prepared) {
        error = prepared.failure();
      } else if (auto db = store::Database::open(layout_.database(), store::schema()); !db) {
        error = db.failure();
      } else if (auto list = accounts::list_accounts(db.value()); !list) {
        error = list.failure();
      } else {
        std::error_code ec;
        std::filesystem::create_directories(layout_.logs_dir(), ec);
        schedule = read_schedule(db.value());
        interface_scale = read_interface_scale(db.value());
        for (const accounts::Account& a : list.value()) {
          AccountSummary& s = accounts.emplace_back();
          s.name = a.name;
          s.email = a.email;
          s.provider = accounts::to_string(a.provider);
          s.oauth = a.auth == accounts::AuthMethod::oauth2;
          s.device_code = !a.oauth.device_url.empty();
          s.timeout_s = a.timeout_s;
          s.health = account_health(db.value(), a);
          s.dead_sign_in = dead_sign_in(db.value(), a);
        }
      }
    } catch (const store::Error& e) {
      // Without this the job fails with no completion and the window says "opening database..."
      // for ever; the user must see why instead.
      error = store::to_failure(e);
      accounts.clear();
    }
    return [this, error, schedule, interface_scale, accounts = std::move(accounts)]() mutable {
      view_.store_ready = !error;
      if (schedule.loaded) {
        view_.background = schedule_override_ ? *schedule_override_ : schedule;
        view_.background.loaded = true;
      }
      if (!error) view_.interface_scale_percent = interface_scale;
      view_.store_error = error;
      // Health a check of this session found is newer than the stored one.
      for (AccountSummary& a : accounts)
        if (const CheckRun* run = view_.check(a.name); run && run_health(*run) != Health::unknown)
          a.health = run_health(*run);
      view_.accounts = std::move(accounts);
    };
  });
}

void Workspace::frame() {
  view_.now = std::chrono::system_clock::now();
  // Snapshot before draining: a job seen finished here has already queued its completion, so a
  // run still marked running after the drain lost its completion (it threw, or never started).
  view_.jobs = jobs_->snapshot();
  jobs_->drain_completions();
  for (auto& [key, run] : view_.checks) {
    if (!run.running) continue;
    for (const jobs::JobSnapshot& j : view_.jobs) {
      if (j.id != run.job || j.state == jobs::JobState::running || j.state == jobs::JobState::queued) continue;
      run.running = false;
      run.cancelled = j.state == jobs::JobState::cancelled;
      run.finished_at = view_.now;
      if (j.state == jobs::JobState::failed) run.error = Failure{"store.failed", j.error};
      live_steps_.erase(key);
    }
  }
  if (SignInProgress* p = sign_in_view(); consent_job_ != 0 && p != nullptr && p->state == ConsentState::waiting) {
    for (const jobs::JobSnapshot& j : view_.jobs) {
      if (j.id != consent_job_ || j.state == jobs::JobState::running || j.state == jobs::JobState::queued) continue;
      consent_job_ = 0;
      p->state = ConsentState::failed;
      p->failure = Failure{"oauth.cancelled", j.error.empty() ? "The sign-in was cancelled." : j.error};
    }
  }
  if (view_.admin.session && view_.now - view_.admin.session->verified_at > kAdminSessionTtl)
    view_.admin.session.reset();
  if (view_.sync.running) {
    for (const jobs::JobSnapshot& j : view_.jobs) {
      if (j.id != view_.sync.job || j.state == jobs::JobState::running || j.state == jobs::JobState::queued) continue;
      view_.sync.running = false;
      live_progress_.reset();
      if (j.state == jobs::JobState::failed) view_.sync.failure = Failure{"sync.failed", j.error};
    }
  }
  pull_live();
  view_.log_seq = log_->last_seq();
  pull_log();
  run_due_background(view_.now);
}

void Workspace::pull_live() {
  for (auto& [key, live] : live_steps_) {
    auto it = view_.checks.find(key);
    if (it == view_.checks.end()) continue;
    std::lock_guard lock(live->mu);
    auto& steps = it->second.steps;
    for (size_t i = steps.size(); i < live->steps.size(); ++i) steps.push_back(live->steps[i]);
  }
  if (live_progress_ && view_.sync.running) {
    std::lock_guard lock(live_progress_->mu);
    view_.sync.progress = live_progress_->progress;
  }
  if (SignInProgress* p = sign_in_view(); live_consent_ && p != nullptr && p->state == ConsentState::waiting) {
    std::lock_guard lock(live_consent_->mu);
    p->url = live_consent_->url;
    p->user_code = live_consent_->user_code;
    p->verification_uri = live_consent_->verification_uri;
    p->code_expires_at = live_consent_->code_expires_at;
  }
}

void Workspace::read_log(const std::string& name) {
  log_buffer_.clear();
  log_buffer_.account = name;
  log_buffer_.last_seq = 0;
  const uint64_t serial = ++log_read_serial_;
  log_buffer_.reading = false;
  // A short log is read here, as lines arriving are; a long one is built on a worker and swapped in
  // whole, so selecting an account with 100k lines costs the UI thread a move, not the copy.
  if (name.empty() || log_->count(name) <= kLogReadInlineLines) return;
  log_buffer_.reading = true;
  jobs_->submit("Read the protocol log of " + name, [this, name, serial](jobs::JobContext&) -> jobs::Completion {
    auto built = std::make_shared<LogBuffer>();
    built->account = name;
    const uint64_t before = log_->last_seq();
    // In batches, so the log's lock (which frame() takes too) is never held for the whole copy.
    for (;;) {
      const auto batch = log_->since(built->last_seq, name, kLogReadBatchLines);
      for (const protolog::Entry& e : batch) built->append(e);
      if (batch.size() < kLogReadBatchLines) break;
    }
    // Every line of the account up to `before` is in: pull_log() goes on from there.
    built->last_seq = std::max(built->last_seq, before);
    return [this, serial, built] {
      if (serial != log_read_serial_) return;  // another account was selected, or the log cleared
      const uint64_t generation = log_buffer_.generation;
      log_buffer_ = std::move(*built);
      log_buffer_.generation = generation + 1;  // reading is false in the built buffer
    };
  });
}

void Workspace::clear_log() {
  log_buffer_.clear();
  if (log_buffer_.reading) {
    // What is being read is what the user cleared: show only lines that arrive from now on.
    ++log_read_serial_;
    log_buffer_.reading = false;
    log_buffer_.last_seq = log_->last_seq();
  }
}

void Workspace::pull_log() {
  if (log_buffer_.account != view_.selected) read_log(view_.selected);
  if (!view_.live.subject.empty() && view_.log_seq != live_seq_) {
    std::vector<protolog::Entry>& tail = view_.live.lines;
    for (protolog::Entry& e : log_->since(live_seq_, view_.live.subject)) {
      // tail() may already hold a line appended after live_seq_ was read.
      if (tail.empty() || e.seq > tail.back().seq) tail.push_back(std::move(e));
    }
    if (tail.size() > kLiveTailLines) tail.erase(tail.begin(), tail.end() - kLiveTailLines);
    live_seq_ = view_.log_seq;
  }
  if (view_.selected.empty() || log_buffer_.reading || view_.log_seq == log_buffer_.last_seq) return;
  for (const protolog::Entry& e : log_->since(log_buffer_.last_seq, view_.selected)) log_buffer_.append(e);
  // Nothing of this account's since: remember how far we looked, so the ring is not scanned again.
  log_buffer_.last_seq = view_.log_seq;
}

void Workspace::watch_live(const std::string& subject) {
  if (subject == view_.live.subject) return;
  view_.live.subject = subject;
  // Read from the newest end: a subject with 100k lines costs what its last few do.
  live_seq_ = log_->last_seq();
  view_.live.lines = subject.empty() ? std::vector<protolog::Entry>{} : log_->tail(subject, kLiveTailLines);
}

void Workspace::apply(const Command& c) {
  switch (c.kind) {
    case Command::Kind::select_account: select(c.account); break;
    case Command::Kind::reload_accounts: reload_accounts(); break;
    case Command::Kind::run_checks: run_checks(c.account); break;
    case Command::Kind::run_quick_check: run_quick_check(c.provider); break;
    case Command::Kind::cancel_checks: cancel_checks(c.account); break;
    case Command::Kind::refresh_token: refresh_token(c.account); break;
    case Command::Kind::reauthenticate:
      reauthenticate(c.account, c.device ? SignInMode::device : SignInMode::browser);
      break;
    case Command::Kind::cancel_consent:
      if (consent_job_ != 0) jobs_->cancel(consent_job_);
      break;
    case Command::Kind::setup_sign_in:
      if (c.draft) setup_sign_in(*c.draft, c.device ? SignInMode::device : SignInMode::browser);
      break;
    case Command::Kind::setup_save:
      if (c.draft) setup_save(*c.draft);
      break;
    case Command::Kind::setup_clear: setup_clear(); break;
    case Command::Kind::edit_open: edit_open(c.account); break;
    case Command::Kind::set_interface_scale: set_interface_scale(c.percent); break;
    case Command::Kind::edit_save:
      if (c.draft) edit_save(c.account, *c.draft);
      break;
    case Command::Kind::edit_remove: edit_remove(c.account, c.user, c.password); break;
    case Command::Kind::edit_close:
      if (view_.edit.stage != AccountEditStage::saving && view_.edit.stage != AccountEditStage::removing)
        view_.edit = AccountEditView{};
      break;
    case Command::Kind::clear_log: clear_log(); break;
    case Command::Kind::watch_live: watch_live(c.account); break;
    case Command::Kind::sync_now: sync_now(c.account); break;
    case Command::Kind::cancel_sync:
      if (view_.sync.running) {
        view_.sync.cancelling = true;
        jobs_->cancel(view_.sync.job);
      }
      break;
    case Command::Kind::load_sync_status: load_sync(c.account); break;
    case Command::Kind::preview_reset: preview_reset(c.account); break;
    case Command::Kind::reset_counter: reset_counter(c); break;
    case Command::Kind::close_reset:
      if (view_.reset.stage != ResetStage::resetting) view_.reset = ResetView{};
      break;
    case Command::Kind::admin_sign_in: admin_sign_in(c.user, c.password, false); break;
    case Command::Kind::admin_sign_out: view_.admin.session.reset(); break;
    case Command::Kind::add_first_admin: admin_sign_in(c.user, c.password, true); break;
    case Command::Kind::set_background: set_background(c.check_every_min, c.sync_every_min); break;
    case Command::Kind::save_report: save_report(c.account); break;
    case Command::Kind::save_log: save_log(c.account); break;
  }
}

void Workspace::select(const std::string& account) {
  if (view_.selected == account) return;
  view_.selected = account;
  view_.token = TokenView{};
  view_.token.account = account;
  const AccountSummary* a = view_.selected_account();
  if (a != nullptr && a->oauth) load_token(account);
  if (!view_.sync.running) {
    view_.sync = SyncView{};
    view_.sync.account = account;
    if (!account.empty()) load_sync(account);
  }
  if (view_.reset.stage != ResetStage::resetting) view_.reset = ResetView{};
  if (!account.empty() && view_.check(account) == nullptr) load_stored_check(account);
}

void Workspace::load_stored_check(const std::string& name) {
  jobs_->submit("Read the last check of " + name, [this, name](jobs::JobContext&) -> jobs::Completion {
    std::optional<diagnostics::CheckReport> report;
    try {
      if (auto db = store::Database::open(layout_.database(), store::schema()))
        if (auto text = diagnostics::load_last_check(db.value(), name)) report = diagnostics::parse_check_report(*text);
    } catch (const store::Error&) {
      // Nothing to show then: the panel says no check has run, and Run checks works as ever.
    }
    return [this, name, report = std::move(report)]() mutable {
      if (!report || view_.check(name) != nullptr) return;  // a run of this session is newer
      CheckRun& r = view_.checks[name];
      r.subject = name;
      r.stored = true;
      r.started_at = report->started_at;
      auto finished = report->started_at;
      for (const StepResult& step : report->steps) finished += std::chrono::milliseconds(step.duration_ms);
      r.finished_at = finished;
      r.steps = std::move(report->steps);
    };
  });
}

void Workspace::set_health(const std::string& account, Health health) {
  for (AccountSummary& a : view_.accounts)
    if (a.name == account) a.health = health;
}

void Workspace::set_dead_sign_in(const std::string& account, std::optional<Failure> failure) {
  for (AccountSummary& a : view_.accounts)
    if (a.name == account) a.dead_sign_in = failure;
}

void Workspace::run_checks(const std::string& name) {
  if (CheckRun* old = view_.checks.count(name) ? &view_.checks[name] : nullptr; old && old->running) return;
  CheckRun& run = view_.checks[name];
  run = CheckRun{};
  run.subject = name;
  run.running = true;
  run.started_at = std::chrono::system_clock::now();
  for (const AccountSummary& a : view_.accounts)
    if (a.name == name) run.step_timeout_s = a.timeout_s;
  auto live = std::make_shared<LiveSteps>();
  live_steps_[name] = live;
  run.job = jobs_->submit("Check " + name, [this, name, live](jobs::JobContext& ctx) -> jobs::Completion {
    auto opened = open_account(layout_, name);
    if (!opened) {
      return [this, name, f = opened.failure()] {
        CheckRun& r = view_.checks[name];
        r.running = false;
        r.error = f;
        r.finished_at = std::chrono::system_clock::now();
        live_steps_.erase(name);
      };
    }
    Opened& o = opened.value();
    diagnostics::LadderInputs in;
    if (o.account.auth == accounts::AuthMethod::password) {
      auto pw = vault::get_secret(o.db, o.vault, name, "password");
      if (pw && pw.value()) {
        in.password = *pw.value();
        redactor_->add_secret(*in.password);
      }
    }
    in.db = &o.db;
    in.vault = &o.vault;
    net::ProtoLogTranscript http(*log_, name);
    in.http_transcript = &http;
    in.mail_transcript = [this, name](std::string_view protocol, protolog::Direction d, std::string_view text) {
      log_->append(name, protocol, d, text);
    };
    in.protect_secret = [this](std::string_view s) { redactor_->add_secret(s); };
    in.on_step = [this, live](const StepResult& s) {
      {
        std::lock_guard lock(live->mu);
        live->steps.push_back(s);
      }
      if (wake_) wake_();
    };
    in.cancelled = [&ctx] { return ctx.cancelled(); };
    diagnostics::LadderOptions options;
    auto report = diagnostics::run_ladder(o.account, in, options);
    diagnostics::save_last_check(o.db, report);
    return [this, name, report = std::move(report), cancelled = ctx.cancelled()]() mutable {
      CheckRun& r = view_.checks[name];
      r.running = false;
      r.cancelled = cancelled;
      r.steps = std::move(report.steps);
      r.finished_at = std::chrono::system_clock::now();
      live_steps_.erase(name);
      if (run_health(r) != Health::unknown) set_health(name, run_health(r));
      // The ladder tests the refresh token: a refusal there kills the sign-in like any other.
      for (const StepResult& step : r.steps)
        if (step.id == "oauth.token") {
          if (step.failure && step.failure->code == "oauth.invalid_grant")
            set_dead_sign_in(name, Failure{step.failure->code, step.failure->detail});
          else if (step.status == StepStatus::pass)
            set_dead_sign_in(name, std::nullopt);
        }
      // The ladder's oauth.token step may have refreshed the token (or failed to): show it.
      if (view_.selected == name && view_.token.account == name && view_.token.status) load_token(name);
    };
  });
}

void Workspace::run_quick_check(accounts::Provider provider) {
  const std::string key = quick_check_key(provider);
  if (auto it = view_.checks.find(key); it != view_.checks.end() && it->second.running) return;
  CheckRun& run = view_.checks[key];
  run = CheckRun{};
  run.subject = accounts::to_string(provider);
  run.quick = true;
  run.running = true;
  run.step_timeout_s = 10;
  run.started_at = std::chrono::system_clock::now();
  auto live = std::make_shared<LiveSteps>();
  live_steps_[key] = live;
  run.job = jobs_->submit("Quick connectivity test", [this, key, provider, live](jobs::JobContext& ctx) {
    diagnostics::QuickCheckOptions o;
    o.on_step = [this, live](const StepResult& s) {
      {
        std::lock_guard lock(live->mu);
        live->steps.push_back(s);
      }
      if (wake_) wake_();
    };
    auto report = diagnostics::run_quick_check(provider, o);
    return jobs::Completion([this, key, report = std::move(report), cancelled = ctx.cancelled()]() mutable {
      CheckRun& r = view_.checks[key];
      r.running = false;
      r.cancelled = cancelled;
      r.steps = std::move(report.steps);
      r.finished_at = std::chrono::system_clock::now();
      live_steps_.erase(key);
    });
  });
}

void Workspace::cancel_checks(const std::string& key) {
  auto it = view_.checks.find(key);
  if (it == view_.checks.end() || !it->second.running) return;
  it->second.cancelling = true;
  jobs_->cancel(it->second.job);
}

void Workspace::load_token(const std::string& name) {
  view_.token.loading = true;
  jobs_->submit("Read the token of " + name, [this, name](jobs::JobContext&) -> jobs::Completion {
    auto status = read_status(layout_, name);
    return [this, name, status = std::move(status)] {
      if (view_.token.account != name) return;  // another account was selected meanwhile
      view_.token.loading = false;
      if (status) {
        view_.token.status = status.value();
        view_.token.load_error.reset();
        if (status.value().last_error) ++view_.token.failure_serial;
      } else {
        view_.token.load_error = status.failure();
      }
    };
  });
}

void Workspace::refresh_token(const std::string& name) {
  if (view_.token.account != name || view_.token.refreshing) return;
  view_.token.refreshing = true;
  jobs_->submit("Refresh the token of " + name, [this, name](jobs::JobContext&) -> jobs::Completion {
    std::optional<Failure> failure;
    std::optional<tokens::TokenStatus> status;
    if (auto opened = open_account(layout_, name); !opened) {
      failure = opened.failure();
    } else {
      Opened& o = opened.value();
      net::ProtoLogTranscript http(*log_, name);
      auto fresh = tokens::fresh_access_token(o.db, o.vault, o.account, tokens::kDefaultRefreshMargin, true, &http);
      if (fresh)
        redactor_->add_secret(fresh.value().access_token);
      else
        failure = fresh.failure();
      if (auto s = tokens::load_status(o.db, name)) status = s.value();
    }
    return [this, name, failure, status] {
      if (failure) set_health(name, Health::failed);
      if (failure && failure->code == "oauth.invalid_grant") set_dead_sign_in(name, failure);
      if (!failure) set_dead_sign_in(name, std::nullopt);
      if (view_.token.account != name) return;
      view_.token.refreshing = false;
      if (status) view_.token.status = status;
      view_.token.refresh_failure = failure;
      if (failure) ++view_.token.failure_serial;
      if (!failure) view_.token.refreshed_at = std::chrono::system_clock::now();
    };
  });
}

SignInProgress* Workspace::sign_in_view() {
  return consent_for_setup_ ? &view_.setup.sign_in : &view_.token.sign_in;
}

namespace {

struct SignedIn {
  oauth::TokenSet tokens;
  std::string identity;
};

// The browser consent flow or the device code, then the identity and scope checks (setup step 4).
// Runs on a worker; what the user must see meanwhile (the address, the code) goes to `show`. Every
// token reaches the redactor before anything can log it.
Result<SignedIn> sign_in_on_worker(const oauth::ClientConfig& cfg, const std::string& email, SignInMode mode,
                                   const std::function<bool()>& cancelled,
                                   const std::function<void(const std::function<void(Workspace::LiveView&)>&)>& show,
                                   net::Transcript* http, protolog::Redactor& redactor) {
  Result<oauth::TokenSet> tokens = fail("oauth.cancelled", "The sign-in was cancelled.");
  if (mode == SignInMode::device) {
    auto started = oauth::start_device(cfg, http);
    if (!started) return started.failure();
    const oauth::DeviceAuthorization& d = started.value();
    show([&](Workspace::LiveView& v) {
      v.user_code = d.user_code;
      v.verification_uri = d.verification_uri;
      v.code_expires_at = std::chrono::system_clock::now() + d.expires_in;
    });
    tokens = oauth::poll_device(cfg, d, cancelled, {}, http);
  } else {
    oauth::ConsentOptions opts;
    opts.transcript = http;
    opts.login_hint = email;
    opts.cancelled = cancelled;
    opts.on_url = [&](const std::string& url) { show([&](Workspace::LiveView& v) { v.url = url; }); };
    tokens = oauth::run_consent_flow(cfg, opts);
  }
  if (!tokens) return tokens.failure();
  redactor.add_secret(tokens.value().access_token);
  if (tokens.value().refresh_token) redactor.add_secret(*tokens.value().refresh_token);
  if (tokens.value().id_token) redactor.add_secret(*tokens.value().id_token);
  auto who = oauth::verify_sign_in(cfg, email, tokens.value(), http);
  if (!who) return who.failure();
  return SignedIn{std::move(tokens).value(), who.value()};
}

}  // namespace

jobs::JobId Workspace::start_sign_in(const std::string& title, bool for_setup, SignInMode mode,
                                     std::function<jobs::Completion(jobs::JobContext&, const ShowLive&)> work) {
  // One sign-in at a time: a new one replaces the one running (it owns the loopback listener).
  if (consent_job_ != 0) jobs_->cancel(consent_job_);
  consent_for_setup_ = for_setup;
  SignInProgress& p = *sign_in_view();
  p = SignInProgress{};
  p.state = ConsentState::waiting;
  p.mode = mode;
  live_consent_ = std::make_shared<LiveConsent>();
  const uint64_t serial = ++sign_in_serial_;
  consent_job_ = jobs_->submit(
      title, [this, live = live_consent_, work = std::move(work), serial](jobs::JobContext& ctx) -> jobs::Completion {
        ShowLive show = [this, live](const std::function<void(LiveView&)>& change) {
          {
            std::lock_guard lock(live->mu);
            change(*live);
          }
          if (wake_) wake_();
        };
        jobs::Completion done = work(ctx, show);
        return [this, serial, done = std::move(done)] {
          if (serial != sign_in_serial_) return;  // replaced by a newer sign-in meanwhile
          consent_job_ = 0;
          live_consent_.reset();
          if (done) done();
        };
      });
  return consent_job_;
}

void Workspace::reauthenticate(const std::string& name, SignInMode mode) {
  if (view_.token.account != name) return;
  start_sign_in("Sign in " + name, false, mode, [this, name, mode](jobs::JobContext& ctx, const ShowLive& show) {
    std::optional<Failure> failure;
    std::string identity, mail_scope;
    std::vector<std::string> granted;
    std::optional<tokens::TokenStatus> status;
    auto opened = open_account(layout_, name);
    auto cfg = opened ? tokens::client_config(opened.value().db, opened.value().vault, opened.value().account)
                      : Result<oauth::ClientConfig>(opened.failure());
    if (!cfg) {
      failure = cfg.failure();
    } else {
      Opened& o = opened.value();
      net::ProtoLogTranscript http(*log_, name);
      mail_scope = cfg.value().mail_scope;
      auto signed_in = sign_in_on_worker(
          cfg.value(), o.account.email, mode, [&ctx] { return ctx.cancelled(); }, show, &http, *redactor_);
      if (!signed_in) {
        failure = signed_in.failure();
      } else if (auto saved = tokens::save_sign_in(o.db, o.vault, o.account, signed_in.value().tokens,
                                                   signed_in.value().identity);
                 !saved) {
        failure = saved.failure();
      } else {
        identity = signed_in.value().identity;
        granted = signed_in.value().tokens.granted_scopes;
      }
      if (auto s = tokens::load_status(o.db, name)) status = s.value();
    }
    return jobs::Completion([this, name, failure, identity, granted, mail_scope, status] {
      if (!failure) {
        set_dead_sign_in(name, std::nullopt);
        // Its checks again at once: the account shows where it stands now, not grey until the next round.
        run_checks(name);
      }
      if (view_.token.account != name || consent_for_setup_) return;
      SignInProgress& p = view_.token.sign_in;
      p.state = failure ? ConsentState::failed : ConsentState::succeeded;
      p.failure = failure;
      p.identity = identity;
      p.granted_scopes = granted;
      p.mail_scope = mail_scope;
      if (status) view_.token.status = status;
      if (!failure) view_.token.refresh_failure.reset();
    });
  });
}

void Workspace::setup_sign_in(const accounts::AccountDraft& draft, SignInMode mode) {
  view_.setup.signed_in_key.clear();
  view_.setup.save = SetupSave::idle;
  view_.setup.save_failure.reset();
  pending_setup_.reset();
  const std::string key = accounts::sign_in_key(draft);
  start_sign_in(
      "Sign in " + draft.email, true, mode, [this, draft, key, mode](jobs::JobContext& ctx, const ShowLive& show) {
        auto pending = std::make_shared<PendingSetup>();
        pending->key = key;
        Result<void> ok;
        std::string mail_scope;
        if (!draft.client_secret.empty()) redactor_->add_secret(draft.client_secret);
        auto account = accounts::build_account(draft);
        // Until it is saved the account has no log of its own: its sign-in is logged under the address.
        net::ProtoLogTranscript http(*log_, account ? account.value().name : std::string("setup"));
        if (account && accounts::needs_discovery(account.value())) {
          if (auto found = ops::discover_endpoints(account.value(), &http); !found)
            account = found.failure();
          else if (auto valid = accounts::validate(account.value()); !valid)
            account = valid.failure();
        }
        auto cfg = account
                       ? tokens::client_config(account.value(), draft.client_secret.empty()
                                                                    ? std::nullopt
                                                                    : std::optional<std::string>(draft.client_secret))
                       : Result<oauth::ClientConfig>(account.failure());
        if (!cfg) {
          ok = cfg.failure();
        } else {
          mail_scope = cfg.value().mail_scope;
          auto signed_in = sign_in_on_worker(
              cfg.value(), account.value().email, mode, [&ctx] { return ctx.cancelled(); }, show, &http, *redactor_);
          if (!signed_in) {
            ok = signed_in.failure();
          } else {
            pending->account = account.value();
            pending->tokens = std::move(signed_in.value().tokens);
            pending->identity = signed_in.value().identity;
          }
        }
        return jobs::Completion([this, ok, pending, mail_scope] {
          if (!consent_for_setup_) return;
          SignInProgress& p = view_.setup.sign_in;
          p.state = ok ? ConsentState::succeeded : ConsentState::failed;
          p.failure = ok ? std::nullopt : std::optional<Failure>(ok.failure());
          p.mail_scope = mail_scope;
          if (ok) {
            p.identity = pending->identity;
            p.granted_scopes = pending->tokens.granted_scopes;
            view_.setup.signed_in_key = pending->key;
            pending_setup_ = pending;
          }
        });
      });
}

void Workspace::setup_save(const accounts::AccountDraft& draft) {
  if (view_.setup.save == SetupSave::saving) return;
  // The setup's tokens, when they were made for this very draft: an OAuth account is saved signed in.
  std::shared_ptr<PendingSetup> pending =
      pending_setup_ && pending_setup_->key == accounts::sign_in_key(draft) ? pending_setup_ : nullptr;
  view_.setup.save = SetupSave::saving;
  view_.setup.save_failure.reset();
  jobs_->submit("Save the account " + draft.name, [this, draft, pending](jobs::JobContext&) -> jobs::Completion {
    auto account = accounts::build_account(draft);
    if (account && pending) {
      // Same address and client: keep the endpoints the sign-in discovered, and the typed rest.
      account.value().oauth = pending->account.oauth;
    }
    if (account && account.value().auth == accounts::AuthMethod::oauth2 && !pending)
      account = fail("oauth.not_signed_in", "Authenticate first: Save keeps the account signed in.");
    // A CA file that does not exist fails here, not at the first check after Save.
    Result<void> saved = account ? ops::check_account_files(account.value()) : Result<void>(account.failure());
    std::string name = account ? account.value().name : std::string();
    if (saved) {
      if (auto prepared = prepare_data_dir(layout_.root); !prepared) saved = prepared.failure();
    }
    std::optional<store::Database> db;
    std::optional<vault::Vault> vault;
    if (saved) {
      auto opened = store::Database::open(layout_.database(), store::schema());
      auto v = opened ? vault::Vault::open(layout_.vault_key()) : Result<vault::Vault>(opened.failure());
      if (!v) {
        saved = v.failure();
      } else {
        db.emplace(std::move(opened).value());
        vault.emplace(std::move(v).value());
      }
    }
    if (saved) saved = accounts::insert_account(*db, account.value());
    if (saved) {
      // The secrets and tokens follow the row they belong to; a failure removes the half-made account.
      if (!draft.password.empty() && account.value().auth == accounts::AuthMethod::password)
        saved = vault::put_secret(*db, *vault, name, "password", draft.password);
      if (saved && !draft.client_secret.empty() && account.value().auth == accounts::AuthMethod::oauth2)
        saved = vault::put_secret(*db, *vault, name, "client_secret", draft.client_secret);
      if (saved && pending)
        saved = tokens::save_sign_in(*db, *vault, account.value(), pending->tokens, pending->identity);
      if (!saved) (void)accounts::remove_account(*db, name);
    }
    return [this, saved, name] {
      view_.setup.save = saved ? SetupSave::saved : SetupSave::failed;
      view_.setup.save_failure = saved ? std::nullopt : std::optional<Failure>(saved.failure());
      if (!saved) return;
      view_.setup.saved_account = name;
      pending_setup_.reset();
      reload_accounts();
      select(name);
      run_checks(name);
    };
  });
}

void Workspace::setup_clear() {
  if (consent_for_setup_ && consent_job_ != 0) jobs_->cancel(consent_job_);
  pending_setup_.reset();
  view_.setup = SetupView{};
}

void Workspace::load_sync(const std::string& name) {
  if (view_.sync.account != name) return;
  view_.sync.loading = true;
  jobs_->submit("Read the sync status of " + name, [this, name](jobs::JobContext&) -> jobs::Completion {
    auto status = read_sync_status(layout_, name);
    return [this, name, status = std::move(status)] {
      if (view_.sync.account != name) return;
      view_.sync.loading = false;
      if (status) {
        view_.sync.status = status.value();
        view_.sync.load_error.reset();
      } else {
        view_.sync.load_error = status.failure();
      }
    };
  });
}

namespace {

// One sync of the account, as `maildoctor sync` does it: the same lock (a sync in a terminal and one
// in the window never overlap), the password or a fresh token, the transcript in the protocol log.
Result<sync::SyncSummary> sync_account(const DataLayout& layout, const std::string& name, protolog::ProtoLog& log,
                                       protolog::Redactor& redactor,
                                       std::function<void(const sync::Progress&)> on_progress,
                                       std::function<bool()> cancelled) {
  auto opened = open_account(layout, name);
  if (!opened) return opened.failure();
  auto protocol = sync::sync_protocol(opened.value().account, std::nullopt);
  if (!protocol) return protocol.failure();
  auto lock = sync::SyncLock::acquire(layout.sync_lock(name));
  if (!lock) return lock.failure();
  Opened& o = opened.value();
  net::ProtoLogTranscript http(log, name);
  auto secret = sign_in_secret(o, &http, redactor);
  if (!secret) return secret.failure();
  sync::SyncOptions options;
  options.protocol = protocol.value();
  const char* proto = accounts::to_string(protocol.value());
  options.transcript = [&log, name, proto](protolog::Direction d, std::string_view text) {
    log.append(name, proto, d, text);
  };
  options.on_progress = std::move(on_progress);
  options.cancelled = std::move(cancelled);
  return sync::run_sync(o.db, o.account, secret.value(), options);
}

}  // namespace

void Workspace::sync_now(const std::string& name) {
  if (view_.sync.account != name || view_.sync.running) return;
  SyncView& s = view_.sync;
  s.running = true;
  s.cancelling = false;
  s.progress = {};
  s.summary.reset();
  s.failure.reset();
  auto live = std::make_shared<LiveProgress>();
  live_progress_ = live;
  s.job = jobs_->submit("Sync " + name, [this, name, live](jobs::JobContext& ctx) -> jobs::Completion {
    std::optional<Failure> failure;
    std::optional<sync::SyncSummary> summary;
    auto result = sync_account(
        layout_, name, *log_, *redactor_,
        [this, live](const sync::Progress& p) {
          {
            std::lock_guard guard(live->mu);
            live->progress = p;
          }
          if (wake_) wake_();
        },
        [&ctx] { return ctx.cancelled(); });
    if (result)
      summary = result.value();
    else
      failure = result.failure();
    return [this, name, failure, summary] {
      view_.sync.running = false;
      view_.sync.cancelling = false;
      live_progress_.reset();
      if (view_.sync.account != view_.selected) {
        // Another account was selected while this one synced: show that one now.
        view_.sync = SyncView{};
        view_.sync.account = view_.selected;
        if (!view_.selected.empty()) load_sync(view_.selected);
        return;
      }
      view_.sync.failure = failure;
      view_.sync.summary = summary;
      load_sync(name);
    };
  });
}

void Workspace::preview_reset(const std::string& name) {
  if (view_.reset.stage == ResetStage::resetting) return;
  view_.reset = ResetView{};
  view_.reset.account = name;
  view_.reset.stage = ResetStage::previewing;
  jobs_->submit("Preview the counter reset of " + name, [this, name](jobs::JobContext&) -> jobs::Completion {
    std::optional<Failure> failure;
    std::optional<sync::CounterReset> preview;
    auto opened = open_account(layout_, name);
    auto protocol = opened ? sync::sync_protocol(opened.value().account, std::nullopt)
                           : Result<accounts::Protocol>(opened.failure());
    if (!protocol) {
      failure = protocol.failure();
    } else {
      try {
        preview = sync::preview_reset(opened.value().db, name, protocol.value());
      } catch (const store::Error& e) {
        failure = store::to_failure(e);
      }
    }
    return [this, name, failure, preview] {
      if (view_.reset.account != name || view_.reset.stage != ResetStage::previewing) return;
      view_.reset.stage = failure ? ResetStage::failed : ResetStage::ready;
      view_.reset.failure = failure;
      view_.reset.preview = preview;
    };
  });
}

void Workspace::reset_counter(const Command& c) {
  if (view_.reset.account != c.account || view_.reset.stage != ResetStage::ready) return;
  view_.reset.stage = ResetStage::resetting;
  view_.reset.failure.reset();
  const std::string name = c.account;
  // No name typed: the admin signed in to the window confirms it, if that sign-in is recent.
  const std::optional<admin::AdminSession> window_admin = c.user.empty() ? view_.admin.session : std::nullopt;
  const admin::Confirmation how = c.user.empty() ? admin::Confirmation::recent_sign_in : admin::Confirmation::password;
  jobs_->submit(
      "Reset the counter of " + name,
      [this, name, user = c.user, password = c.password, window_admin,
       how](jobs::JobContext&) mutable -> jobs::Completion {
        std::optional<Failure> failure;
        std::optional<sync::CounterReset> done;
        std::string admin;
        const auto now = std::chrono::system_clock::now();
        auto opened = open_account(layout_, name);
        auto protocol = opened ? sync::sync_protocol(opened.value().account, std::nullopt)
                               : Result<accounts::Protocol>(opened.failure());
        // The password (or the window's sign-in) is checked here, just before the write:
        // nothing else moves a counter back, and wrong credentials stop before anything changes.
        Result<admin::AdminSession> session =
            !protocol                              ? Result<admin::AdminSession>(protocol.failure())
            : how == admin::Confirmation::password ? admin::verify_admin(opened.value().db, user, password, now)
            : window_admin
                ? admin::confirm_recent_sign_in(opened.value().db, *window_admin, now)
                : Result<admin::AdminSession>(Failure{"admin.not_authorized", "No admin is signed in to the window."});
        std::fill(password.begin(), password.end(), '\0');
        // A sync running now would write the counter back: hold the lock while resetting.
        auto lock =
            session ? sync::SyncLock::acquire(layout_.sync_lock(name)) : Result<sync::SyncLock>(session.failure());
        if (!lock) {
          failure = lock.failure();
        } else {
          try {
            done = sync::reset_counter(opened.value().db, name, protocol.value(), session.value(), now, how);
            admin = session.value().user;
          } catch (const store::Error& e) {
            failure = store::to_failure(e);
          }
        }
        return [this, name, failure, done, admin, now, how] {
          if (view_.reset.account != name) return;
          view_.reset.stage = failure ? ResetStage::failed : ResetStage::done;
          view_.reset.confirmed_with = how;
          view_.reset.failure = failure;
          view_.reset.result = done;
          view_.reset.admin = admin;
          if (!failure) view_.reset.at = now;
          // The last run's "downloaded N" described the counter that is gone now.
          if (!failure && view_.sync.account == name && !view_.sync.running) {
            view_.sync.summary.reset();
            view_.sync.failure.reset();
          }
          load_sync(name);
        };
      });
}

void Workspace::load_admins() {
  jobs_->submit("Look for admins", [this](jobs::JobContext&) -> jobs::Completion {
    std::optional<bool> has;
    if (prepare_data_dir(layout_.root)) {
      if (auto db = store::Database::open(layout_.database(), store::schema())) {
        if (auto h = admin::has_admins(db.value())) has = h.value();
      }
    }
    return [this, has] { view_.admin.has_admins = has; };
  });
}

void Workspace::admin_sign_in(const std::string& user, const std::string& password, bool first_admin) {
  if (view_.admin.busy) return;
  view_.admin.busy = true;
  view_.admin.failure.reset();
  jobs_->submit(
      first_admin ? "Create the first admin" : "Sign in " + user,
      [this, user, password = std::string(password), first_admin](jobs::JobContext&) mutable -> jobs::Completion {
        std::optional<Failure> failure;
        std::optional<admin::AdminSession> session;
        auto db = store::Database::open(layout_.database(), store::schema());
        if (!db) {
          failure = db.failure();
        } else {
          // Only the very first admin may be added without a signed-in admin (add_admin
          // refuses otherwise): the prompt cannot be used to slip in a second one.
          Result<void> added;
          if (first_admin) added = admin::add_admin(db.value(), user, password);
          auto verified = added ? admin::verify_admin(db.value(), user, password, admin::Clock::now())
                                : Result<admin::AdminSession>(added.failure());
          if (verified)
            session = verified.value();
          else
            failure = verified.failure();
        }
        std::fill(password.begin(), password.end(), '\0');
        return [this, failure, session, first_admin] {
          view_.admin.busy = false;
          view_.admin.failure = failure;
          if (session) view_.admin.session = session;
          if (first_admin && session) view_.admin.has_admins = true;
          ++view_.admin.serial;
        };
      });
}

void Workspace::run_due_background(std::chrono::system_clock::time_point now) {
  if (!view_.store_ready || !view_.background.loaded) return;
  const BackgroundSchedule& b = view_.background;
  if (!token_sweep_running_ && now >= next_token_sweep_) {
    refresh_tokens_in_background();
    next_token_sweep_ = now + kTokenSweepEvery;
  }
  auto next = next_token_sweep_;
  for (const AccountSummary& a : view_.accounts) {
    Due& d = due_[a.name];
    // A new account (or a new start) waits one interval: what the user opens runs on demand.
    if (d.check == std::chrono::system_clock::time_point{}) d.check = now + std::chrono::minutes(b.check_every_min);
    if (d.sync == std::chrono::system_clock::time_point{}) d.sync = now + std::chrono::minutes(b.sync_every_min);
    if (b.check_every_min > 0) {
      if (now >= d.check) {
        if (const CheckRun* run = view_.check(a.name); run == nullptr || !run->running) run_checks(a.name);
        d.check = now + std::chrono::minutes(b.check_every_min);
      }
      next = std::min(next, d.check);
    }
    if (b.sync_every_min > 0) {
      if (now >= d.sync) {
        sync_in_background(a.name);
        d.sync = now + std::chrono::minutes(b.sync_every_min);
      }
      next = std::min(next, d.sync);
    }
  }
  if (timer_) timer_->wake_at(next);
}

void Workspace::refresh_tokens_in_background() {
  token_sweep_running_ = true;
  jobs_->submit("Refresh tokens before they expire", [this](jobs::JobContext& ctx) -> jobs::Completion {
    std::vector<std::string> changed;  // refreshed, or failed to (their health and token view change)
    auto db = store::Database::open(layout_.database(), store::schema());
    auto v = db ? vault::Vault::open(layout_.vault_key()) : Result<vault::Vault>(db.failure());
    auto list = v ? accounts::list_accounts(db.value()) : Result<std::vector<accounts::Account>>(v.failure());
    if (list) {
      for (const accounts::Account& a : list.value()) {
        if (ctx.cancelled()) break;
        if (a.auth != accounts::AuthMethod::oauth2) continue;
        auto status = tokens::load_status(db.value(), a.name);
        // Only a saved refresh token can be used without the user; a failed one waits for them.
        if (!status || !status.value().refreshable || status.value().last_error) continue;
        if (status.value().seconds_left(std::chrono::system_clock::now()) > tokens::kDefaultRefreshMargin.count())
          continue;
        net::ProtoLogTranscript http(*log_, a.name);
        auto fresh = tokens::fresh_access_token(db.value(), v.value(), a, tokens::kDefaultRefreshMargin, false, &http);
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
  });
}

void Workspace::sync_in_background(const std::string& name) {
  // The user's own Sync now of this account, or a background one still running, is enough.
  if ((view_.sync.running && view_.sync.account == name) || background_syncs_.count(name) != 0) return;
  background_syncs_[name] = jobs_->submit("Sync " + name + " (scheduled)", [this, name](jobs::JobContext& ctx) {
    auto result = sync_account(layout_, name, *log_, *redactor_, {}, [&ctx] { return ctx.cancelled(); });
    // Its outcome is in the store (last sync time and result): the sync panel shows it on reload.
    (void)result;
    return jobs::Completion([this, name] {
      background_syncs_.erase(name);
      if (view_.sync.account == name && !view_.sync.running) load_sync(name);
    });
  });
}

void Workspace::set_interface_scale(int percent) {
  percent = std::clamp(percent, kMinInterfaceScalePercent, kMaxInterfaceScalePercent);
  view_.interface_scale_percent = percent;  // the window follows at once; the disk on a worker
  jobs_->submit("Save the interface scale", [this, percent](jobs::JobContext&) -> jobs::Completion {
    auto saved = save_settings(layout_, {{kInterfaceScaleKey, percent}});
    return [this, saved] {
      if (!saved) view_.background_failure = saved.failure();
    };
  });
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
  jobs_->submit("Save the background schedule", [this, wanted](jobs::JobContext&) -> jobs::Completion {
    auto saved =
        save_settings(layout_, {{kCheckEveryKey, wanted.check_every_min}, {kSyncEveryKey, wanted.sync_every_min}});
    const std::optional<Failure> failure = saved ? std::nullopt : std::optional<Failure>(saved.failure());
    return [this, wanted, failure] {
      view_.background_failure = failure;
      if (failure) return;
      view_.background = wanted;
      due_.clear();  // the new intervals count from now
    };
  });
}

namespace {

// The data dir's reports/ folder, owner-only: reports name accounts and servers.
Result<void> prepare_reports_dir(const DataLayout& layout) {
  std::error_code ec;
  const auto dir = layout.root / "reports";
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail("report.write_failed", dir.string() + ": cannot create the folder (" + ec.message() + ")");
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  return {};
}

}  // namespace

void Workspace::save_report(const std::string& name) {
  if (view_.report.saving) return;
  view_.report = SavedFileView{name, true, {}, std::nullopt};
  jobs_->submit("Save the report of " + name, [this, name](jobs::JobContext&) -> jobs::Completion {
    Result<std::string> saved = fail("store.failed", "not started");
    auto db = store::Database::open(layout_.database(), store::schema());
    auto account = db ? accounts::load_account(db.value(), name) : Result<accounts::Account>(db.failure());
    auto ready = account ? prepare_reports_dir(layout_) : Result<void>(account.failure());
    if (!ready) {
      saved = ready.failure();
    } else {
      log_->flush();  // the report reads the account's log file: every line logged so far in it
      const auto path = report::saved_file_path(layout_, name, "report", "html", std::chrono::system_clock::now());
      auto written = report::write_support_report(db.value(), layout_, account.value(), path, *redactor_);
      saved = written ? Result<std::string>(path.string()) : Result<std::string>(written.failure());
    }
    return [this, name, saved] {
      if (view_.report.account != name) return;
      view_.report.saving = false;
      if (saved)
        view_.report.path = saved.value();
      else
        view_.report.failure = saved.failure();
    };
  });
}

void Workspace::save_log(const std::string& name) {
  if (view_.log_file.saving) return;
  view_.log_file = SavedFileView{name, true, {}, std::nullopt};
  jobs_->submit("Save the protocol log of " + name, [this, name](jobs::JobContext&) -> jobs::Completion {
    // The same lines the panel shows (already redacted when they were logged), as text.
    LogBuffer copy;
    for (const protolog::Entry& e : log_->since(0, name)) copy.append(e);
    std::string text;
    text.reserve(copy.text.size() + copy.lines.size());
    for (size_t i = 0; i < copy.lines.size(); ++i) {
      text += redactor_->mask_secrets(copy.line_text(i));
      text += '\n';
    }
    Result<std::string> saved = fail("report.write_failed", "not started");
    if (auto ready = prepare_reports_dir(layout_); !ready) {
      saved = ready.failure();
    } else {
      const auto path = report::saved_file_path(layout_, name, "log", "txt", std::chrono::system_clock::now());
      auto written = report::write_file_atomically(path, text);
      saved = written ? Result<std::string>(path.string()) : Result<std::string>(written.failure());
    }
    return [this, name, saved] {
      if (view_.log_file.account != name) return;
      view_.log_file.saving = false;
      if (saved)
        view_.log_file.path = saved.value();
      else
        view_.log_file.failure = saved.failure();
    };
  });
}

}  // namespace md
