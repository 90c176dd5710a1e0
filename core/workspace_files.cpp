// What the window saves for the user, on quick workers: the support report and a copy of an
// account's protocol log, owner-only files in the data dir's reports/ folder.
#include <filesystem>

#include "accounts/repository.h"
#include "report/support_report.h"
#include "workspace.h"
#include "workspace_detail.h"

namespace md {

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
  jobs_->submit(
      "Save the report of " + name,
      [this, name](jobs::JobContext&) -> jobs::Completion {
        Result<std::string> saved = fail("store.failed", "not started");
        auto db = detail::open_store(layout_);
        auto account = db ? accounts::load_account(db.value(), name) : Result<accounts::Account>(db.failure());
        auto ready = account ? prepare_reports_dir(layout_) : Result<void>(account.failure());
        if (!ready) {
          saved = ready.failure();
        } else {
          log_->flush();  // the report reads the account's log file: every line logged so far in it
          const auto path = report::saved_file_path(layout_, name, "report", "html", now_());
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
      },
      {jobs::Lane::quick, [this, name](jobs::JobState, const std::string& error) {
         if (view_.report.account != name) return;
         view_.report.saving = false;
         view_.report.failure = Failure{"report.write_failed", error.empty() ? "The report was not written." : error};
       }});
}

void Workspace::save_log(const std::string& name) {
  if (view_.log_file.saving) return;
  view_.log_file = SavedFileView{name, true, {}, std::nullopt};
  jobs_->submit(
      "Save the protocol log of " + name,
      [this, name](jobs::JobContext&) -> jobs::Completion {
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
          const auto path = report::saved_file_path(layout_, name, "log", "txt", now_());
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
      },
      {jobs::Lane::quick, [this, name](jobs::JobState, const std::string& error) {
         if (view_.log_file.account != name) return;
         view_.log_file.saving = false;
         view_.log_file.failure = Failure{"report.write_failed", error.empty() ? "The log was not written." : error};
       }});
}

}  // namespace md
