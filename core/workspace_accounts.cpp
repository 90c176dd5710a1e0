// The workspace's Edit, Change password and Remove of a saved account: the window's side of
// ops::edit_account and ops::remove_account, on workers, published in view_.edit.
#include "accounts/repository.h"
#include "net/http_client.h"
#include "ops/account_ops.h"
#include "store/schema.h"
#include "workspace.h"
#include "workspace_detail.h"

namespace md {

void Workspace::edit_open(const std::string& name) {
  if (view_.edit.stage == AccountEditStage::saving || view_.edit.stage == AccountEditStage::removing) return;
  view_.edit = AccountEditView{};
  view_.edit.account = name;
  view_.edit.stage = AccountEditStage::loading;
  jobs_->submit("Read the settings of " + name, [this, name](jobs::JobContext&) -> jobs::Completion {
    std::optional<Failure> failure;
    std::optional<accounts::AccountDraft> draft;
    std::optional<ops::SyncFootprint> footprint;
    auto opened = detail::open_account(layout_, name);
    if (!opened) {
      failure = opened.failure();
    } else {
      draft = accounts::draft_from_account(opened.value().account);
      try {
        footprint = ops::sync_footprint(opened.value().db, name);
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
  });
}

void Workspace::edit_save(const std::string& name, const accounts::AccountDraft& draft) {
  if (view_.edit.account != name || view_.edit.stage == AccountEditStage::saving) return;
  view_.edit.stage = AccountEditStage::saving;
  view_.edit.failure.reset();
  jobs_->submit("Save the settings of " + name, [this, name, draft](jobs::JobContext&) -> jobs::Completion {
    std::optional<Failure> failure;
    auto opened = detail::open_account(layout_, name);
    auto updated =
        opened ? accounts::apply_draft(opened.value().account, draft) : Result<accounts::Account>(opened.failure());
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
      if (auto edited = ops::edit_account(opened.value().db, opened.value().vault, edit); !edited)
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
  const std::optional<admin::AdminSession> window_admin = user.empty() ? view_.admin.session : std::nullopt;
  jobs_->submit("Remove the account " + name, [this, name, user, password, window_admin](jobs::JobContext&) {
    std::optional<Failure> failure;
    auto opened = detail::open_account(layout_, name);
    if (!opened) {
      failure = opened.failure();
    } else {
      std::optional<admin::AdminSession> admin = window_admin;
      if (!user.empty()) {
        auto verified = admin::verify_admin(opened.value().db, user, password, admin::Clock::now());
        if (verified)
          admin = verified.value();
        else
          failure = verified.failure();
      }
      if (!failure) {
        net::ProtoLogTranscript http(*log_, name);
        auto removed =
            ops::remove_account(opened.value().db, &opened.value().vault, name, admin, &http, admin::Clock::now());
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
