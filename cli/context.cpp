#include "cli/context.h"

#include <filesystem>
#include <istream>
#include <ostream>

#include "cli/run.h"
#include "diagnostics/catalogue.h"
#include "report/support_report.h"
#include "store/schema.h"
#include "vault/vault.h"

namespace md::cli {

Result<DataLayout> CommandContext::layout() {
  if (layout_) return *layout_;
  auto dir = resolve_data_dir(global.data_dir, process_env(), current_platform());
  if (!dir) return dir.failure();
  if (auto prepared = prepare_data_dir(dir.value().path); !prepared) return prepared.failure();
  layout_ = DataLayout{dir.value().path};
  return *layout_;
}

Result<store::Database*> CommandContext::database() {
  if (db_) return &*db_;
  auto l = layout();
  if (!l) return l.failure();
  auto db = store::Database::open(l.value().database(), store::schema());
  if (!db) return db.failure();
  db_ = std::move(db).value();
  return &*db_;
}

net::Transcript* CommandContext::transcript(const std::string& account) {
  auto l = layout();
  if (!l) return nullptr;
  if (!log_) {
    std::error_code ec;
    std::filesystem::create_directories(l.value().logs_dir(), ec);
    // A command's transcript is read back from the file (`maildoctor log`); the ring stays small.
    log_ = std::make_unique<protolog::ProtoLog>(
        1000, [this](std::string_view line, protolog::Direction d) { return redactor_.redact(line, d); },
        l.value().logs_dir());
  }
  transcript_ = std::make_unique<net::ProtoLogTranscript>(*log_, account);
  return transcript_.get();
}

Result<void> CommandContext::protect_account_secrets(store::Database& db, const std::string& account) {
  auto l = layout();
  if (!l) return l.failure();
  return report::protect_account_secrets(db, l.value(), account, [this](std::string_view s) { protect_secret(s); });
}

int exit_code_for(const Failure& failure) {
  const std::string& c = failure.code;
  if (c == "usage" || c == "accounts.invalid" || c == "accounts.not_found" || c.starts_with("datadir.") ||
      c == "store.too_new" || c == "oauth.no_client")
    return kExitUsage;
  return kExitFailed;
}

nlohmann::json failure_json(const Failure& failure) {
  return diagnostics::failure_json(failure);
}

int CommandContext::report(const Failure& failure) {
  if (json) {
    emit({{"ok", false}, {"failure", failure_json(failure)}});
  }
  auto e = diagnostics::explain(failure);
  err << "maildoctor: " << e.title << " [" << e.code << "]\n";
  err << "  What happened: " << e.reason << "\n";
  err << "  What to do:    " << e.remedy << "\n";
  if (!e.detail.empty()) err << "  Details:       " << e.detail << "\n";
  return exit_code_for(failure);
}

void CommandContext::emit(const nlohmann::json& doc) {
  // Replace invalid UTF-8 from servers rather than throwing half-way through the document.
  out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

Result<std::string> CommandContext::read_secret_line(std::string_view what) {
  std::string line;
  if (!std::getline(in, line)) return fail("usage", "expected the " + std::string(what) + " on standard input");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) return fail("usage", "the " + std::string(what) + " on standard input is empty");
  return line;
}

}  // namespace md::cli
