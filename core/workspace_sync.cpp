// The workspace's mailbox downloads and the admin-gated counter reset: the window's side of
// ops::sync_account, ops::preview_reset and ops::reset_counter, published in view_.sync and
// view_.reset. Background syncs run one at a time (see workspace_schedule.cpp).
#include "accounts/repository.h"
#include "ops/sync_ops.h"
#include "sync/sync_status.h"
#include "workspace.h"
#include "workspace_detail.h"

namespace md {
namespace {

Result<sync::SyncStatus> read_sync_status(const DataLayout& layout, const std::string& name) {
  auto db = detail::open_store(layout);
  if (!db) return db.failure();
  auto account = accounts::load_account(db.value(), name);
  if (!account) return account.failure();
  std::optional<accounts::Protocol> protocol;
  if (auto p = sync::sync_protocol(account.value(), std::nullopt)) protocol = p.value();
  return sync::load_sync_status(db.value(), name, protocol);
}

}  // namespace

Result<sync::SyncSummary> Workspace::sync_on_worker(const std::string& name, jobs::JobContext& ctx,
                                                    std::function<void(const sync::Progress&)> on_progress) {
  auto opened = detail::open_account(layout_, name);
  if (!opened) return opened.failure();
  net::ProtoLogTranscript transcript(*log_, name);
  ops::SyncRequest request;
  request.transcript = &transcript;
  request.protect = [this](std::string_view s) { redactor_->add_secret(s); };
  request.on_progress = std::move(on_progress);
  request.cancelled = [&ctx] { return ctx.cancelled(); };
  return ops::sync_account(opened.value().opened, layout_, request);
}

void Workspace::load_sync(const std::string& name) {
  if (view_.sync.account != name) return;
  view_.sync.loading = true;
  jobs_->submit("Read the sync status of " + name,
                [this, name](jobs::JobContext&) -> jobs::Completion {
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
                },
                {jobs::Lane::quick, [this, name](jobs::JobState, const std::string& error) {
                   if (view_.sync.account != name) return;
                   view_.sync.loading = false;
                   view_.sync.load_error = detail::lost_job_failure("store.failed", error, "Reading the sync status");
                 }});
}

void Workspace::end_sync_run(jobs::JobId job, jobs::JobState state, const std::string& error) {
  if (!view_.sync.running || view_.sync.job != job) return;
  view_.sync.running = false;
  view_.sync.cancelling = false;
  if (state == jobs::JobState::failed) view_.sync.failure = Failure{"sync.failed", error};
}

void Workspace::sync_now(const std::string& name) {
  if (view_.sync.account != name || view_.sync.running) return;
  SyncView& s = view_.sync;
  s.running = true;
  s.cancelling = false;
  s.progress = {};
  s.summary.reset();
  s.failure.reset();
  s.job = jobs_->submit(
      "Sync " + name,
      [this, name](jobs::JobContext& ctx) -> jobs::Completion {
        const jobs::JobId job = ctx.id();
        auto result = sync_on_worker(name, ctx, [this, job, &ctx](const sync::Progress& p) {
          ctx.post([this, job, p] {
            if (view_.sync.running && view_.sync.job == job) view_.sync.progress = p;
          });
        });
        return [this, name, job, result = std::move(result)] {
          if (view_.sync.job != job) return;
          view_.sync.running = false;
          view_.sync.cancelling = false;
          if (view_.sync.account != view_.selected) {
            // Another account was selected while this one synced: show that one now.
            view_.sync = SyncView{};
            view_.sync.account = view_.selected;
            if (!view_.selected.empty()) load_sync(view_.selected);
            return;
          }
          view_.sync.failure = result ? std::nullopt : std::optional<Failure>(result.failure());
          view_.sync.summary = result ? std::optional<sync::SyncSummary>(result.value()) : std::nullopt;
          load_sync(name);
        };
      },
      {jobs::Lane::network,
       [this](jobs::JobState state, const std::string& error) { end_sync_run(view_.sync.job, state, error); }});
}

void Workspace::sync_in_background(const std::string& name) {
  // The user's own Sync now of this account, or a background one still running, is enough.
  if ((view_.sync.running && view_.sync.account == name) || background_syncs_.count(name) != 0) return;
  background_syncs_[name] = jobs_->submit(
      "Sync " + name + " (scheduled)",
      [this, name](jobs::JobContext& ctx) {
        // Its outcome is in the store (last sync time and result): the sync panel shows it on reload.
        // One that did not get that far (another sync holds the lock, no secret) says why in the
        // account's log, the only place a support engineer would see it.
        auto result = sync_on_worker(name, ctx, {});
        if (!result)
          log_->append(name, "app", protolog::Direction::info,
                       "Scheduled sync failed: [" + result.failure().code + "] " + result.failure().detail);
        return jobs::Completion([this, name] {
          background_syncs_.erase(name);
          if (view_.sync.account == name && !view_.sync.running) load_sync(name);
        });
      },
      {jobs::Lane::network, [this, name](jobs::JobState, const std::string&) { background_syncs_.erase(name); }});
}

void Workspace::preview_reset(const std::string& name) {
  if (view_.reset.stage == ResetStage::resetting) return;
  view_.reset = ResetView{};
  view_.reset.account = name;
  view_.reset.stage = ResetStage::previewing;
  jobs_->submit("Preview the counter reset of " + name,
                [this, name](jobs::JobContext&) -> jobs::Completion {
                  auto preview = detail::open_account(layout_, name).and_then([](auto&& w) {
                    return ops::preview_reset(w.opened, std::nullopt);
                  });
                  return [this, name, preview = std::move(preview)] {
                    if (view_.reset.account != name || view_.reset.stage != ResetStage::previewing) return;
                    view_.reset.stage = preview ? ResetStage::ready : ResetStage::failed;
                    view_.reset.failure = preview ? std::nullopt : std::optional<Failure>(preview.failure());
                    view_.reset.preview = preview ? std::optional<sync::CounterReset>(preview.value()) : std::nullopt;
                  };
                },
                {jobs::Lane::quick, [this, name](jobs::JobState, const std::string& error) {
                   if (view_.reset.account != name || view_.reset.stage != ResetStage::previewing) return;
                   view_.reset.stage = ResetStage::failed;
                   view_.reset.failure = detail::lost_job_failure("store.failed", error, "The preview of the reset");
                 }});
}

void Workspace::reset_counter(const cmd::ResetCounter& c) {
  if (view_.reset.account != c.account || view_.reset.stage != ResetStage::ready) return;
  view_.reset.stage = ResetStage::resetting;
  view_.reset.failure.reset();
  const std::string name = c.account;
  // No name typed: the admin signed in to the window confirms it, if that sign-in is recent.
  ops::AdminProof proof{c.user, c.password, c.user.empty() ? view_.admin.session : std::nullopt};
  jobs_->submit("Reset the counter of " + name,
                [this, name, proof](jobs::JobContext&) mutable -> jobs::Completion {
                  const auto now = now_();
                  const admin::Confirmation how = proof.how();
                  std::string admin;
                  // The password (or the window's sign-in) is checked here, just before the write: nothing
                  // else moves a counter back, and wrong credentials stop before anything changes.
                  auto done = detail::open_account(layout_, name).and_then([&](auto&& w) {
                    auto session = ops::confirm_admin(w.store(), proof, now);
                    std::fill(proof.password.begin(), proof.password.end(), '\0');
                    if (!session) return Result<sync::CounterReset>(session.failure());
                    admin = session.value().user;
                    return ops::reset_counter(w.opened, layout_, std::nullopt, session.value(), how, now);
                  });
                  return [this, name, done, admin, now, how] {
                    if (view_.reset.account != name) return;
                    view_.reset.stage = done ? ResetStage::done : ResetStage::failed;
                    view_.reset.confirmed_with = how;
                    view_.reset.failure = done ? std::nullopt : std::optional<Failure>(done.failure());
                    view_.reset.result = done ? std::optional<sync::CounterReset>(done.value()) : std::nullopt;
                    view_.reset.admin = done ? admin : std::string();
                    if (done) view_.reset.at = now;
                    // The last run's "downloaded N" described the counter that is gone now.
                    if (done && view_.sync.account == name && !view_.sync.running) {
                      view_.sync.summary.reset();
                      view_.sync.failure.reset();
                    }
                    load_sync(name);
                  };
                },
                {jobs::Lane::quick, [this, name](jobs::JobState, const std::string& error) {
                   if (view_.reset.account != name || view_.reset.stage != ResetStage::resetting) return;
                   view_.reset.stage = ResetStage::failed;
                   view_.reset.failure = detail::lost_job_failure("store.failed", error, "The reset");
                 }});
}

}  // namespace md
