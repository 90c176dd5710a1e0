// The workspace's admins: whether the data dir has any (the first-run prompt), the first admin's
// creation, and an admin's sign-in to the window. Password hashing runs on a quick worker.
#include <algorithm>

#include "admin/admins.h"
#include "workspace.h"
#include "workspace_detail.h"

namespace md {

void Workspace::load_admins() {
  jobs_->submit("Look for admins",
                [this](jobs::JobContext&) -> jobs::Completion {
                  std::optional<bool> has;
                  if (prepare_data_dir(layout_.root)) {
                    if (auto db = detail::open_store(layout_)) {
                      if (auto h = admin::has_admins(db.value())) has = h.value();
                    }
                  }
                  return [this, has] { view_.admin.has_admins = has; };
                },
                {jobs::Lane::quick, {}});
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
        auto db = detail::open_store(layout_);
        if (!db) {
          failure = db.failure();
        } else {
          // Only the very first admin may be added without a signed-in admin (add_admin
          // refuses otherwise): the prompt cannot be used to slip in a second one.
          Result<void> added;
          if (first_admin) added = admin::add_admin(db.value(), user, password);
          auto verified = added ? admin::verify_admin(db.value(), user, password, now_())
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
      },
      {jobs::Lane::quick, [this](jobs::JobState, const std::string& error) {
         view_.admin.busy = false;
         view_.admin.failure = Failure{"store.failed", error.empty() ? "The sign-in did not run." : error};
         ++view_.admin.serial;
       }});
}

}  // namespace md
