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

void Workspace::save_file(SavedFileView WorkspaceView::*slot, const std::string& name, const std::string& title,
                          std::function<Result<std::string>()> write) {
  if ((view_.*slot).saving) return;
  view_.*slot = SavedFileView{name, true, {}, std::nullopt};
  // The view of this file, if it still shows this account's save: the answer lands there.
  auto showing = [this, slot, name]() -> SavedFileView* {
    SavedFileView& v = view_.*slot;
    return v.account == name ? &v : nullptr;
  };
  jobs_->submit(title,
                [write = std::move(write), showing](jobs::JobContext&) -> jobs::Completion {
                  auto saved = write();
                  return [saved, showing] {
                    SavedFileView* v = showing();
                    if (v == nullptr) return;
                    v->saving = false;
                    if (saved)
                      v->path = saved.value();
                    else
                      v->failure = saved.failure();
                  };
                },
                {jobs::Lane::quick, [showing, title](jobs::JobState, const std::string& error) {
                   SavedFileView* v = showing();
                   if (v == nullptr) return;
                   v->saving = false;
                   v->failure = detail::lost_job_failure("report.write_failed", error, title);
                 }});
}

void Workspace::save_report(const std::string& name) {
  save_file(&WorkspaceView::report, name, "Save the report of " + name, [this, name]() -> Result<std::string> {
    auto db = detail::open_store(layout_);
    if (!db) return db.failure();
    auto account = accounts::load_account(db.value(), name);
    if (!account) return account.failure();
    if (auto ready = prepare_reports_dir(layout_); !ready) return ready.failure();
    log_->flush();  // the report reads the account's log file: every line logged so far in it
    const auto path = report::saved_file_path(layout_, name, "report", "html", now_());
    auto written = report::write_support_report(db.value(), layout_, account.value(), path, *redactor_);
    if (!written) return written.failure();
    return path.string();
  });
}

void Workspace::save_log(const std::string& name) {
  save_file(&WorkspaceView::log_file, name, "Save the protocol log of " + name, [this, name]() -> Result<std::string> {
    // The same lines the panel shows (already redacted when they were logged), as text.
    LogBuffer copy;
    for (const protolog::Entry& e : log_->since(0, name)) copy.append(e);
    std::string text;
    text.reserve(copy.text.size() + copy.lines.size());
    for (size_t i = 0; i < copy.lines.size(); ++i) {
      text += redactor_->mask_secrets(copy.line_text(i));
      text += '\n';
    }
    if (auto ready = prepare_reports_dir(layout_); !ready) return ready.failure();
    const auto path = report::saved_file_path(layout_, name, "log", "txt", now_());
    if (auto written = report::write_file_atomically(path, text); !written) return written.failure();
    return path.string();
  });
}

}  // namespace md
