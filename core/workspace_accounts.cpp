// The workspace's accounts: the list with each account's colour and dead sign-in (read on a
// quick worker), and Edit, Change password and Remove of a saved account (the window's side of
// ops::edit_account and ops::remove_account), published in view_.accounts and view_.edit.
#include <filesystem>
#include <set>

#include "accounts/repository.h"
#include "diagnostics/last_check.h"
#include "net/http_client.h"
#include "ops/account_ops.h"
#include "ops/sync_ops.h"
#include "tokens/token_service.h"
#include "vault/vault.h"
#include "workspace.h"
#include "workspace_detail.h"

namespace md {
namespace {

// Why an OAuth account's sign-in cannot renew itself any more, if it cannot.
std::optional<Failure> dead_sign_in(const std::optional<tokens::TokenStatus>& token,
                                    std::chrono::system_clock::time_point now) {
  if (!token) return std::nullopt;
  const tokens::TokenStatus& s = *token;
  if (s.sign_in_dead()) return s.last_error;
  if (s.signed_in && !s.refresh_token_saved && s.seconds_left(now) <= 0)
    return Failure{"oauth.invalid_grant", "The access token has expired and there is no refresh token."};
  return std::nullopt;
}

// The colour the token decides on its own: red when the last refresh failed, amber when an OAuth
// account has not signed in yet. No check, stored or of this session, overrides it.
std::optional<Health> token_health(const std::optional<tokens::TokenStatus>& token) {
  if (token && token->last_error) return Health::failed;
  if (token && !token->signed_in) return Health::warning;
  return std::nullopt;
}

// The token's colour when it decides; otherwise the last check's, grey when it never ran.
Result<Health> account_health(store::Database& db, const accounts::Account& a,
                              const std::optional<tokens::TokenStatus>& token) {
  if (auto decided = token_health(token)) return *decided;
  // The last report `check` or the window saved: the colour of its worst step.
  auto text = diagnostics::load_last_check(db, a.name);
  if (!text) return text.failure();
  auto report = text.value() ? diagnostics::parse_check_report(*text.value()) : std::nullopt;
  if (!report) return Health::unknown;
  Health h = Health::ok;
  for (const diagnostics::StepResult& s : report->steps) {
    if (s.status == diagnostics::StepStatus::fail) return Health::failed;
    if (s.status == diagnostics::StepStatus::warn) h = Health::warning;
  }
  return h;
}

}  // namespace

void Workspace::reload_accounts() {
  jobs_->submit("Load the accounts",
                [this](jobs::JobContext&) -> jobs::Completion {
                  std::optional<Failure> error;
                  std::vector<AccountSummary> accounts;
                  BackgroundSchedule schedule;
                  int interface_scale = 100;
                  std::set<std::string> token_decided;  // accounts whose colour their token decides
                  // Bounded (platform/secret_service.h) even when it asks the desktop keyring.
                  std::string key_protection;
                  std::optional<Failure> key_problem;
                  if (auto protection = vault::key_protection(layout_.vault_key())) {
                    key_protection = protection.value();
                  } else {
                    key_problem = protection.failure();
                    key_protection = "unreadable (" + key_problem->code + ")";
                  }
                  auto loaded = [&]() -> Result<void> {
                    if (auto prepared = prepare_data_dir(layout_.root); !prepared) return prepared.failure();
                    auto db = detail::open_store(layout_);
                    if (!db) return db.failure();
                    auto list = accounts::list_accounts(db.value());
                    if (!list) return list.failure();
                    std::error_code ec;
                    std::filesystem::create_directories(layout_.logs_dir(), ec);
                    auto settings = detail::read_window_settings(db.value());
                    if (!settings) return settings.failure();
                    schedule = settings.value().schedule;
                    interface_scale = settings.value().interface_scale_percent;
                    for (const accounts::Account& a : list.value()) {
                      AccountSummary& s = accounts.emplace_back();
                      s.name = a.name;
                      s.email = a.email;
                      s.provider = accounts::to_string(a.provider);
                      s.oauth = a.auth == accounts::AuthMethod::oauth2;
                      s.device_code = !a.oauth.device_url.empty();
                      s.timeout_s = a.timeout_s;
                      std::optional<tokens::TokenStatus> token;  // OAuth accounts' only
                      if (a.auth == accounts::AuthMethod::oauth2) {
                        auto status = tokens::load_status(db.value(), a.name);
                        if (!status) return status.failure();
                        token = status.value();
                      }
                      if (token_health(token)) token_decided.insert(a.name);
                      auto health = account_health(db.value(), a, token);
                      if (!health) return health.failure();
                      s.health = health.value();
                      s.dead_sign_in = dead_sign_in(token, now_());
                    }
                    return {};
                  }();
                  // The window must say why, never "opening database..." for ever.
                  if (!loaded) error = loaded.failure();
                  if (error) accounts.clear();
                  return [this, error, schedule, interface_scale, key_protection, key_problem, token_decided,
                          accounts = std::move(accounts)]() mutable {
                    view_.store_ready = !error;
                    view_.key_protection = key_protection;
                    view_.key_problem = key_problem;
                    if (schedule.loaded) {
                      view_.background = schedule_override_ ? *schedule_override_ : schedule;
                      view_.background.loaded = true;
                    }
                    if (!error) view_.interface_scale_percent = interface_scale;
                    view_.store_error = error;
                    // Health a check of this session found is newer than the stored one, but not than
                    // a refresh that failed since: the list must not show green beside "Sign-in expired".
                    for (AccountSummary& a : accounts)
                      if (const CheckRun* run = view_.check(a.name);
                          run && run_health(*run) != Health::unknown && token_decided.count(a.name) == 0)
                        a.health = run_health(*run);
                    view_.accounts = std::move(accounts);
                  };
                },
                {jobs::Lane::quick, [this](jobs::JobState, const std::string& error) {
                   view_.store_error = detail::lost_job_failure("store.failed", error, "Reading the accounts");
                 }});
}

void Workspace::edit_open(const std::string& name) {
  if (view_.edit.stage == AccountEditStage::saving || view_.edit.stage == AccountEditStage::removing) return;
  view_.edit = AccountEditView{};
  view_.edit.account = name;
  view_.edit.stage = AccountEditStage::loading;
  jobs_->submit("Read the settings of " + name,
                [this, name](jobs::JobContext&) -> jobs::Completion {
                  std::optional<Failure> failure;
                  std::optional<accounts::AccountDraft> draft;
                  std::optional<ops::SyncFootprint> footprint;
                  auto opened = detail::open_account(layout_, name);
                  if (!opened) {
                    failure = opened.failure();
                  } else {
                    draft = accounts::draft_from_account(opened.value().account());
                    try {
                      footprint = ops::sync_footprint(opened.value().store(), name);
                    } catch (const store::Error& e) {
                      failure = store::to_failure(e);
                    }
                  }
                  return [this, name, failure, draft, footprint] {
                    if (view_.edit.account != name || view_.edit.stage != AccountEditStage::loading) return;
                    view_.edit.stage = failure ? AccountEditStage::failed : AccountEditStage::editing;
                    view_.edit.failure = failure;
                    view_.edit.draft = draft;
                    view_.edit.footprint = footprint;
                  };
                },
                {jobs::Lane::quick, [this, name](jobs::JobState, const std::string& error) {
                   if (view_.edit.account != name || view_.edit.stage != AccountEditStage::loading) return;
                   view_.edit.stage = AccountEditStage::failed;
                   view_.edit.failure = detail::lost_job_failure("store.failed", error, "Reading the settings");
                 }});
}

void Workspace::edit_save(const std::string& name, const accounts::AccountDraft& draft) {
  if (view_.edit.account != name || view_.edit.stage == AccountEditStage::saving) return;
  view_.edit.stage = AccountEditStage::saving;
  view_.edit.failure.reset();
  jobs_->submit("Save the settings of " + name, [this, name, draft](jobs::JobContext&) -> jobs::Completion {
    std::optional<Failure> failure;
    auto opened = detail::open_account(layout_, name);
    auto updated = opened.and_then([&](detail::WorkerAccount& w) { return accounts::apply_draft(w.account(), draft); });
    if (updated) {
      net::ProtoLogTranscript http(*log_, name);
      if (auto found = ops::discover_endpoints(updated.value(), &http); !found) updated = found.failure();
    }
    if (!updated) {
      failure = updated.failure();
    } else {
      ops::AccountEdit edit{updated.value(), std::nullopt, std::nullopt};
      if (!draft.password.empty()) edit.password = draft.password;
      if (!draft.client_secret.empty()) edit.client_secret = draft.client_secret;
      // A sign-in the edit made useless shows on the Token tab, which is reloaded below.
      if (auto edited = ops::edit_account(opened.value().store(), opened.value().opened.vault, edit); !edited)
        failure = edited.failure();
    }
    return [this, name, failure] {
      if (view_.edit.account != name) return;
      view_.edit.stage = failure ? AccountEditStage::editing : AccountEditStage::saved;
      view_.edit.failure = failure;
      ++view_.edit.serial;
      if (failure) return;
      reload_accounts();
      if (view_.token.account == name) load_token(name);
      // Its checks at once, with the settings as they are now.
      run_checks(name);
    };
  });
}

void Workspace::edit_remove(const std::string& name, const std::string& user, const std::string& password) {
  if (view_.edit.account != name || view_.edit.stage == AccountEditStage::removing) return;
  view_.edit.stage = AccountEditStage::removing;
  view_.edit.failure.reset();
  // The window's admin, when one signed in and no other was named for this.
  // An account with nothing downloaded needs no admin: then the window's session, if any, is
  // passed along as it is, not checked (ops::remove_account asks for an admin only when it must).
  const std::optional<admin::AdminSession> window_admin = user.empty() ? view_.admin.session : std::nullopt;
  jobs_->submit("Remove the account " + name, [this, name, user, password, window_admin](jobs::JobContext&) {
    std::optional<Failure> failure;
    auto opened = detail::open_account(layout_, name);
    if (!opened) {
      failure = opened.failure();
    } else {
      std::optional<admin::AdminSession> admin = window_admin;
      if (!user.empty()) {
        auto verified =
            ops::confirm_admin(opened.value().store(), ops::AdminProof{user, password, std::nullopt}, now_());
        if (verified)
          admin = verified.value();
        else
          failure = verified.failure();
      }
      if (!failure) {
        net::ProtoLogTranscript http(*log_, name);
        auto removed =
            ops::remove_account(opened.value().store(), &opened.value().opened.vault, name, admin, &http, now_());
        if (!removed) failure = removed.failure();
      }
    }
    return jobs::Completion([this, name, failure] {
      if (view_.edit.account != name) return;
      view_.edit.stage = failure ? AccountEditStage::editing : AccountEditStage::removed;
      view_.edit.failure = failure;
      ++view_.edit.serial;
      if (failure) return;
      view_.checks.erase(name);
      if (view_.selected == name) select("");
      reload_accounts();
    });
  });
}

}  // namespace md
