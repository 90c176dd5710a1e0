#include "workspace.h"

#include <filesystem>
#include <mutex>

#include "accounts/repository.h"
#include "diagnostics/ladder.h"
#include "diagnostics/quick_check.h"
#include "oauth/consent_flow.h"
#include "oauth/identity.h"
#include "oauth/token_endpoint.h"
#include "store/database.h"
#include "store/schema.h"
#include "sync/sync_lock.h"
#include "util/time.h"
#include "vault/vault.h"

namespace md {
namespace {

constexpr size_t kLogRingCapacity = 200'000;
// The panel's copy of one account's log keeps at most this many lines; beyond it the oldest half
// goes, so appending stays cheap.
constexpr size_t kLogBufferMaxLines = 200'000;
// A consent wait and a silent host each hold a worker for minutes: enough workers that loading an
// account's token never queues behind them.
constexpr unsigned kWorkers = 4;
// How long the window trusts an admin's sign-in (AdminSession leaves it to the window): long enough
// for a support session, short enough that a window left open does not stay an admin's.
constexpr auto kAdminSessionTtl = std::chrono::minutes(30);

using diagnostics::StepResult;
using diagnostics::StepStatus;

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
  auto last = db.prepare("SELECT value FROM settings WHERE key = ?");
  last.bind(1, "last_check:" + a.name);
  if (!last.step()) return Health::unknown;
  auto doc = nlohmann::json::parse(last.column_text(0), nullptr, false);
  if (!doc.is_object() || !doc.contains("steps") || !doc["steps"].is_array()) return Health::unknown;
  Health h = Health::ok;
  for (const auto& s : doc["steps"]) {
    const std::string status = s.is_object() ? s.value("status", "") : "";
    if (status == "fail") return Health::failed;
    if (status == "warn") h = Health::warning;
  }
  return h;
}

// Same UPSERT as `check`: `status` and `report` read the last report from here.
void save_last_check(store::Database& db, const diagnostics::CheckReport& report) {
  try {
    db.prepare("INSERT INTO settings(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        .bind(1, "last_check:" + report.account)
        .bind(2, diagnostics::to_json(report).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
        .run();
  } catch (const store::Error&) {
    // The run itself is the answer; a report that cannot be kept is not a reason to fail it.
  }
}

struct Opened {
  store::Database db;
  vault::Vault vault;
  accounts::Account account;
};

// Workers open their own connection: one Database per thread.
Result<Opened> open_account(const DataLayout& layout, const std::string& name) {
  auto db = store::Database::open(layout.database(), store::schema());
  if (!db) return db.failure();
  auto account = accounts::load_account(db.value(), name);
  if (!account) return account.failure();
  auto v = vault::Vault::open(layout.vault_key());
  if (!v) return v.failure();
  return Opened{std::move(db).value(), std::move(v).value(), std::move(account).value()};
}

Result<tokens::TokenStatus> read_status(const DataLayout& layout, const std::string& name) {
  auto db = store::Database::open(layout.database(), store::schema());
  if (!db) return db.failure();
  return tokens::load_status(db.value(), name);
}

// Setup step 4: the signed-in identity and the granted scopes must be the account's; otherwise
// the tokens are revoked where possible rather than saved for the wrong mailbox (as `auth` does).
Result<std::string> check_sign_in(const oauth::ClientConfig& cfg, const accounts::Account& account,
                                  const oauth::TokenSet& tokens, net::Transcript* transcript) {
  auto identity = oauth::signed_in_identity(cfg, tokens, transcript);
  Result<void> checked = identity ? oauth::check_identity(account.email, identity.value()) : Result<void>();
  if (identity && checked) checked = oauth::check_scopes(tokens.granted_scopes, cfg.mail_scope);
  if (identity && checked) return identity.value();
  if (!cfg.revoke_url.empty()) {
    (void)oauth::revoke(cfg, tokens.refresh_token.value_or(tokens.access_token),
                        tokens.refresh_token ? "refresh_token" : "access_token", transcript);
  }
  return identity ? checked.failure() : identity.failure();
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

struct Workspace::LiveConsent {
  std::mutex mu;
  std::string url;
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

Workspace::Workspace(DataLayout layout, std::function<void()> wake)
    : layout_(std::move(layout)), wake_(wake), redactor_(std::make_unique<protolog::Redactor>()) {
  log_ = std::make_unique<protolog::ProtoLog>(
      kLogRingCapacity,
      [r = redactor_.get()](std::string_view line, protolog::Direction d) { return r->redact(line, d); },
      layout_.logs_dir());
  view_.data_dir = layout_.root.string();
  view_.log = &log_buffer_;
  jobs_ = std::make_unique<jobs::JobRunner>(kWorkers, std::move(wake));
}

Workspace::~Workspace() {
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
        for (const accounts::Account& a : list.value())
          accounts.push_back({a.name, a.email, accounts::to_string(a.provider), a.auth == accounts::AuthMethod::oauth2,
                              a.timeout_s, account_health(db.value(), a)});
      }
    } catch (const store::Error& e) {
      // Without this the job fails with no completion and the window says "opening database..."
      // for ever; the user must see why instead.
      error = store::to_failure(e);
      accounts.clear();
    }
    return [this, error, accounts = std::move(accounts)]() mutable {
      view_.store_ready = !error;
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
  if (consent_job_ != 0 && view_.token.consent == ConsentState::waiting) {
    for (const jobs::JobSnapshot& j : view_.jobs) {
      if (j.id != consent_job_ || j.state == jobs::JobState::running || j.state == jobs::JobState::queued) continue;
      consent_job_ = 0;
      view_.token.consent = ConsentState::failed;
      view_.token.consent_failure =
          Failure{"oauth.cancelled", j.error.empty() ? "The sign-in was cancelled." : j.error};
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
  if (live_consent_) {
    std::lock_guard lock(live_consent_->mu);
    if (!live_consent_->url.empty()) view_.token.consent_url = live_consent_->url;
  }
}

void Workspace::pull_log() {
  if (log_buffer_.account != view_.selected) {
    log_buffer_.clear();
    log_buffer_.account = view_.selected;
    log_buffer_.last_seq = 0;
  }
  if (view_.selected.empty() || view_.log_seq == log_buffer_.last_seq) return;
  for (const protolog::Entry& e : log_->since(log_buffer_.last_seq, view_.selected)) log_buffer_.append(e);
  // Nothing of this account's since: remember how far we looked, so the ring is not scanned again.
  log_buffer_.last_seq = view_.log_seq;
}

void Workspace::apply(const Command& c) {
  switch (c.kind) {
    case Command::Kind::select_account: select(c.account); break;
    case Command::Kind::reload_accounts: reload_accounts(); break;
    case Command::Kind::run_checks: run_checks(c.account); break;
    case Command::Kind::run_quick_check: run_quick_check(c.provider); break;
    case Command::Kind::cancel_checks: cancel_checks(c.account); break;
    case Command::Kind::refresh_token: refresh_token(c.account); break;
    case Command::Kind::reauthenticate: reauthenticate(c.account); break;
    case Command::Kind::cancel_consent:
      if (consent_job_ != 0) jobs_->cancel(consent_job_);
      break;
    case Command::Kind::clear_log: log_buffer_.clear(); break;
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
}

void Workspace::set_health(const std::string& account, Health health) {
  for (AccountSummary& a : view_.accounts)
    if (a.name == account) a.health = health;
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
    save_last_check(o.db, report);
    return [this, name, report = std::move(report), cancelled = ctx.cancelled()]() mutable {
      CheckRun& r = view_.checks[name];
      r.running = false;
      r.cancelled = cancelled;
      r.steps = std::move(report.steps);
      r.finished_at = std::chrono::system_clock::now();
      live_steps_.erase(name);
      if (run_health(r) != Health::unknown) set_health(name, run_health(r));
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
      if (view_.token.account != name) return;
      view_.token.refreshing = false;
      if (status) view_.token.status = status;
      view_.token.refresh_failure = failure;
      if (failure) ++view_.token.failure_serial;
      if (!failure) view_.token.refreshed_at = std::chrono::system_clock::now();
    };
  });
}

void Workspace::reauthenticate(const std::string& name) {
  if (view_.token.account != name || view_.token.consent == ConsentState::waiting) return;
  view_.token.consent = ConsentState::waiting;
  view_.token.consent_url.clear();
  view_.token.consent_failure.reset();
  live_consent_ = std::make_shared<LiveConsent>();
  consent_job_ = jobs_->submit("Sign in " + name, [this, name, live = live_consent_](jobs::JobContext& ctx) {
    std::optional<Failure> failure;
    std::string identity;
    std::optional<tokens::TokenStatus> status;
    auto opened = open_account(layout_, name);
    auto cfg = opened ? tokens::client_config(opened.value().db, opened.value().vault, opened.value().account)
                      : Result<oauth::ClientConfig>(opened.failure());
    if (!cfg) {
      failure = cfg.failure();
    } else {
      Opened& o = opened.value();
      net::ProtoLogTranscript http(*log_, name);
      oauth::ConsentOptions opts;
      opts.transcript = &http;
      opts.login_hint = o.account.email;
      opts.cancelled = [&ctx] { return ctx.cancelled(); };
      opts.on_url = [this, live](const std::string& url) {
        {
          std::lock_guard lock(live->mu);
          live->url = url;
        }
        if (wake_) wake_();
      };
      auto tokens = oauth::run_consent_flow(cfg.value(), opts);
      if (!tokens) {
        failure = tokens.failure();
      } else {
        redactor_->add_secret(tokens.value().access_token);
        if (tokens.value().refresh_token) redactor_->add_secret(*tokens.value().refresh_token);
        if (tokens.value().id_token) redactor_->add_secret(*tokens.value().id_token);
        auto who = check_sign_in(cfg.value(), o.account, tokens.value(), &http);
        if (!who) {
          failure = who.failure();
        } else if (auto saved = tokens::save_sign_in(o.db, o.vault, o.account, tokens.value(), who.value()); !saved) {
          failure = saved.failure();
        } else {
          identity = who.value();
        }
      }
      if (auto s = tokens::load_status(o.db, name)) status = s.value();
    }
    return jobs::Completion([this, name, failure, identity, status] {
      consent_job_ = 0;
      if (!failure) set_health(name, Health::unknown);
      if (view_.token.account != name) return;
      view_.token.consent = failure ? ConsentState::failed : ConsentState::succeeded;
      view_.token.consent_failure = failure;
      view_.token.consent_identity = identity;
      if (status) view_.token.status = status;
      if (!failure) view_.token.refresh_failure.reset();
    });
  });
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
    auto opened = open_account(layout_, name);
    auto protocol = opened ? sync::sync_protocol(opened.value().account, std::nullopt)
                           : Result<accounts::Protocol>(opened.failure());
    // The same lock as the CLI's: a sync in a terminal and one in the window never overlap.
    auto lock =
        protocol ? sync::SyncLock::acquire(layout_.sync_lock(name)) : Result<sync::SyncLock>(protocol.failure());
    if (!lock) {
      failure = lock.failure();
    } else {
      Opened& o = opened.value();
      net::ProtoLogTranscript http(*log_, name);
      auto secret = sign_in_secret(o, &http, *redactor_);
      if (!secret) {
        failure = secret.failure();
      } else {
        sync::SyncOptions options;
        options.protocol = protocol.value();
        const char* proto = accounts::to_string(protocol.value());
        options.transcript = [this, name, proto](protolog::Direction d, std::string_view text) {
          log_->append(name, proto, d, text);
        };
        options.on_progress = [this, live](const sync::Progress& p) {
          {
            std::lock_guard guard(live->mu);
            live->progress = p;
          }
          if (wake_) wake_();
        };
        options.cancelled = [&ctx] { return ctx.cancelled(); };
        auto result = sync::run_sync(o.db, o.account, secret.value(), options);
        if (result)
          summary = result.value();
        else
          failure = result.failure();
      }
    }
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
  jobs_->submit("Reset the counter of " + name,
                [this, name, user = c.user, password = c.password](jobs::JobContext&) mutable -> jobs::Completion {
                  std::optional<Failure> failure;
                  std::optional<sync::CounterReset> done;
                  std::string admin;
                  const auto now = std::chrono::system_clock::now();
                  auto opened = open_account(layout_, name);
                  auto protocol = opened ? sync::sync_protocol(opened.value().account, std::nullopt)
                                         : Result<accounts::Protocol>(opened.failure());
                  // The password is checked here, just before the write: nothing else moves a counter
                  // back, and wrong credentials stop before anything changes.
                  auto session = protocol ? admin::verify_admin(opened.value().db, user, password, now)
                                          : Result<admin::AdminSession>(protocol.failure());
                  std::fill(password.begin(), password.end(), '\0');
                  // A sync running now would write the counter back: hold the lock while resetting.
                  auto lock = session ? sync::SyncLock::acquire(layout_.sync_lock(name))
                                      : Result<sync::SyncLock>(session.failure());
                  if (!lock) {
                    failure = lock.failure();
                  } else {
                    try {
                      done = sync::reset_counter(opened.value().db, name, protocol.value(), session.value(), now);
                      admin = session.value().user;
                    } catch (const store::Error& e) {
                      failure = store::to_failure(e);
                    }
                  }
                  return [this, name, failure, done, admin, now] {
                    if (view_.reset.account != name) return;
                    view_.reset.stage = failure ? ResetStage::failed : ResetStage::done;
                    view_.reset.failure = failure;
                    view_.reset.result = done;
                    view_.reset.admin = admin;
                    if (!failure) view_.reset.at = now;
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

}  // namespace md
