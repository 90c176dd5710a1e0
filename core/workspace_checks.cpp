// The workspace's checks: an account's ladder (ops::run_checks) and the quick connectivity test, on
// network workers, each finished step shown as it comes; the stored last check after a restart.
#include "diagnostics/last_check.h"
#include "diagnostics/quick_check.h"
#include "ops/check_ops.h"
#include "workspace.h"
#include "workspace_detail.h"

namespace md {

using diagnostics::StepResult;
using diagnostics::StepStatus;

void Workspace::load_stored_check(const std::string& name) {
  jobs_->submit("Read the last check of " + name,
                [this, name](jobs::JobContext&) -> jobs::Completion {
                  // Unreadable: nothing to show then. The panel says no check has run, and Run checks
                  // works as ever.
                  std::optional<diagnostics::CheckReport> report;
                  if (auto db = detail::open_store(layout_))
                    if (auto text = diagnostics::load_last_check(db.value(), name); text && text.value())
                      report = diagnostics::parse_check_report(*text.value());
                  return [this, name, report = std::move(report)]() mutable {
                    if (!report || view_.check(name) != nullptr) return;  // a run of this session is newer
                    CheckRun& r = view_.checks[name];
                    r.subject = name;
                    r.stored = true;
                    r.started_at = report->started_at;
                    auto finished = report->started_at;
                    for (const StepResult& step : report->steps)
                      finished += std::chrono::milliseconds(step.duration_ms);
                    r.finished_at = finished;
                    r.steps = std::move(report->steps);
                  };
                },
                {jobs::Lane::quick, {}});
}

void Workspace::set_health(const std::string& account, Health health) {
  for (AccountSummary& a : view_.accounts)
    if (a.name == account) a.health = health;
}

void Workspace::set_dead_sign_in(const std::string& account, std::optional<Failure> failure) {
  for (AccountSummary& a : view_.accounts)
    if (a.name == account) a.dead_sign_in = failure;
}

void Workspace::end_check_run(const std::string& key, jobs::JobId job, jobs::JobState state, const std::string& error) {
  auto it = view_.checks.find(key);
  if (it == view_.checks.end() || it->second.job != job || !it->second.running) return;
  CheckRun& run = it->second;
  run.running = false;
  run.cancelled = state == jobs::JobState::cancelled;
  run.finished_at = now_();
  if (state == jobs::JobState::failed) run.error = Failure{"store.failed", error};
}

void Workspace::run_checks(const std::string& name) {
  if (CheckRun* old = view_.checks.count(name) ? &view_.checks[name] : nullptr; old && old->running) return;
  CheckRun& run = view_.checks[name];
  run = CheckRun{};
  run.subject = name;
  run.running = true;
  run.started_at = now_();
  for (const AccountSummary& a : view_.accounts)
    if (a.name == name) run.step_timeout_s = a.timeout_s;
  run.job = jobs_->submit(
      "Check " + name,
      [this, name](jobs::JobContext& ctx) -> jobs::Completion {
        const jobs::JobId job = ctx.id();
        net::ProtoLogTranscript transcript(*log_, name);
        ops::CheckRequest request;
        request.transcript = &transcript;
        request.protect = [this](std::string_view s) { redactor_->add_secret(s); };
        request.on_step = [this, name, job, &ctx](const StepResult& s) {
          ctx.post([this, name, job, s] {
            if (auto it = view_.checks.find(name); it != view_.checks.end() && it->second.job == job)
              it->second.steps.push_back(s);
          });
        };
        request.cancelled = [&ctx] { return ctx.cancelled(); };
        auto report =
            detail::open_account(layout_, name).and_then([&](auto&& w) { return ops::run_checks(w.opened, request); });
        return [this, name, job, report = std::move(report), cancelled = ctx.cancelled()]() mutable {
          auto it = view_.checks.find(name);
          if (it == view_.checks.end() || it->second.job != job) return;
          CheckRun& r = it->second;
          r.running = false;
          r.cancelled = cancelled;
          r.finished_at = now_();
          if (!report) {
            r.error = report.failure();
            return;
          }
          r.steps = std::move(report).value().steps;
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
      },
      {jobs::Lane::network, [this, name](jobs::JobState state, const std::string& error) {
         if (auto it = view_.checks.find(name); it != view_.checks.end())
           end_check_run(name, it->second.job, state, error);
       }});
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
  run.started_at = now_();
  run.job = jobs_->submit(
      "Quick connectivity test",
      [this, key, provider](jobs::JobContext& ctx) {
        const jobs::JobId job = ctx.id();
        diagnostics::QuickCheckOptions o;
        o.on_step = [this, key, job, &ctx](const StepResult& s) {
          ctx.post([this, key, job, s] {
            if (auto it = view_.checks.find(key); it != view_.checks.end() && it->second.job == job)
              it->second.steps.push_back(s);
          });
        };
        auto report = diagnostics::run_quick_check(provider, o);
        return jobs::Completion([this, key, job, report = std::move(report), cancelled = ctx.cancelled()]() mutable {
          auto it = view_.checks.find(key);
          if (it == view_.checks.end() || it->second.job != job) return;
          CheckRun& r = it->second;
          r.running = false;
          r.cancelled = cancelled;
          r.steps = std::move(report.steps);
          r.finished_at = now_();
        });
      },
      {jobs::Lane::network, [this, key](jobs::JobState state, const std::string& error) {
         if (auto it = view_.checks.find(key); it != view_.checks.end())
           end_check_run(key, it->second.job, state, error);
       }});
}

void Workspace::cancel_checks(const std::string& key) {
  auto it = view_.checks.find(key);
  if (it == view_.checks.end() || !it->second.running) return;
  it->second.cancelling = true;
  jobs_->cancel(it->second.job);
}

}  // namespace md
