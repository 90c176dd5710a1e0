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

Failure lost_job_failure(const std::string& code, const std::string& error, const std::string& what) {
  return Failure{code, error.empty() ? what + " did not run." : error};
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

namespace {

// One lambda per command struct: a command without its own line does not compile.
template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace

void Workspace::apply(const Command& command) {
  std::visit(Overloaded{
                 [&](const cmd::SelectAccount& c) { select(c.account); },
                 [&](const cmd::ReloadAccounts&) { reload_accounts(); },
                 [&](const cmd::RunChecks& c) { run_checks(c.account); },
                 [&](const cmd::RunQuickCheck& c) { run_quick_check(c.provider); },
                 [&](const cmd::CancelChecks& c) { cancel_checks(c.key); },
                 [&](const cmd::RefreshToken& c) { refresh_token(c.account); },
                 [&](const cmd::Reauthenticate& c) {
                   reauthenticate(c.account, c.device ? SignInMode::device : SignInMode::browser);
                 },
                 [&](const cmd::CancelConsent&) {
                   if (consent_job_ != 0) jobs_->cancel(consent_job_);
                 },
                 [&](const cmd::SetupSignIn& c) {
                   if (c.draft) setup_sign_in(*c.draft, c.device ? SignInMode::device : SignInMode::browser);
                 },
                 [&](const cmd::SetupSave& c) {
                   if (c.draft) setup_save(*c.draft);
                 },
                 [&](const cmd::SetupClear&) { setup_clear(); },
                 [&](const cmd::ClearLog&) { clear_log(); },
                 [&](const cmd::SyncNow& c) { sync_now(c.account); },
                 [&](const cmd::CancelSync&) {
                   if (view_.sync.running) {
                     view_.sync.cancelling = true;
                     jobs_->cancel(view_.sync.job);
                   }
                 },
                 [&](const cmd::LoadSyncStatus& c) { load_sync(c.account); },
                 [&](const cmd::PreviewReset& c) { preview_reset(c.account); },
                 [&](const cmd::ResetCounter& c) { reset_counter(c); },
                 [&](const cmd::CloseReset&) {
                   if (view_.reset.stage != ResetStage::resetting) view_.reset = ResetView{};
                 },
                 [&](const cmd::AdminSignIn& c) { admin_sign_in(c.user, c.password, false); },
                 [&](const cmd::AdminSignOut&) { view_.admin.session.reset(); },
                 [&](const cmd::AddFirstAdmin& c) { admin_sign_in(c.user, c.password, true); },
                 [&](const cmd::SetBackground& c) { set_background(c.check_every_min, c.sync_every_min); },
                 [&](const cmd::SaveReport& c) { save_report(c.account); },
                 [&](const cmd::SaveLog& c) { save_log(c.account); },
                 [&](const cmd::EditOpen& c) { edit_open(c.account); },
                 [&](const cmd::EditSave& c) {
                   if (c.draft) edit_save(c.account, *c.draft);
                 },
                 [&](const cmd::EditRemove& c) { edit_remove(c.account, c.user, c.password); },
                 [&](const cmd::EditClose&) {
                   if (view_.edit.stage != AccountEditStage::saving && view_.edit.stage != AccountEditStage::removing)
                     view_.edit = AccountEditView{};
                 },
                 [&](const cmd::SetInterfaceScale& c) { set_interface_scale(c.percent); },
                 [&](const cmd::WatchLive& c) { watch_live(c.subject); },
             },
             command);
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
