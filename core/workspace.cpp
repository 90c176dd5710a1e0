#include "workspace.h"

#include "workspace_detail.h"

#include "store/schema.h"

namespace md {

using diagnostics::StepResult;
using diagnostics::StepStatus;

namespace {

constexpr size_t kLogRingCapacity = 200'000;
// A consent wait and a silent host each hold a network worker for minutes: enough of them that a
// sign-in, a check and the one background sync run side by side. Store and file work has a lane
// of its own (jobs::Lane::quick), so reading a token or Save never waits behind them.
constexpr unsigned kNetworkWorkers = 4;
constexpr unsigned kQuickWorkers = 2;
// How long the window trusts an admin's sign-in (AdminSession leaves it to the window): long enough
// for a support session, short enough that a window left open does not stay an admin's.
constexpr auto kAdminSessionTtl = std::chrono::minutes(30);

}  // namespace

namespace detail {

Result<store::Database> open_store(const DataLayout& layout) {
  return store::Database::open(layout.database(), store::schema());
}

Result<WorkerAccount> open_account(const DataLayout& layout, const std::string& name) {
  auto db = open_store(layout);
  if (!db) return db.failure();
  auto owned = std::make_unique<store::Database>(std::move(db).value());
  auto opened = ops::open_account(*owned, layout, name);
  if (!opened) return opened.failure();
  return WorkerAccount{std::move(owned), std::move(opened).value()};
}

}  // namespace detail

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

const AccountSummary* WorkspaceView::selected_account() const {
  for (const AccountSummary& a : accounts)
    if (a.name == selected) return &a;
  return nullptr;
}

const CheckRun* WorkspaceView::check(const std::string& key) const {
  auto it = checks.find(key);
  return it == checks.end() ? nullptr : &it->second;
}

Workspace::Workspace(DataLayout layout, std::function<void()> wake, Clock now)
    : layout_(std::move(layout)),
      wake_(wake),
      now_(now ? std::move(now) : Clock([] { return std::chrono::system_clock::now(); })),
      redactor_(std::make_unique<protolog::Redactor>()) {
  log_ = std::make_unique<protolog::ProtoLog>(
      kLogRingCapacity,
      [r = redactor_.get()](std::string_view line, protolog::Direction d) { return r->redact(line, d); },
      layout_.logs_dir());
  view_.data_dir = layout_.root.string();
  view_.log = &log_buffer_;
  if (wake) timer_ = std::make_unique<Timer>(wake);
  jobs_ = std::make_unique<jobs::JobRunner>(kNetworkWorkers, std::move(wake), kQuickWorkers);
}

Workspace::~Workspace() {
  timer_.reset();
  jobs_.reset();
}

void Workspace::start() {
  reload_accounts();
  load_admins();
}

void Workspace::frame() {
  view_.now = now_();
  view_.jobs = jobs_->snapshot();
  // Completions, the updates jobs posted, and the news of jobs that ended without a completion.
  jobs_->drain_completions();
  if (view_.admin.session && view_.now - view_.admin.session->verified_at > kAdminSessionTtl)
    view_.admin.session.reset();
  view_.log_seq = log_->last_seq();
  pull_log();
  run_due_background(view_.now);
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

}  // namespace md
