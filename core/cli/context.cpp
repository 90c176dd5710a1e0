#include "cli/context.h"

#include <filesystem>
#include <istream>
#include <ostream>

#include "cli/run.h"
#include "diagnostics/catalogue.h"
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
  // No key file: nothing was ever sealed with it, and opening the vault would create one.
  std::error_code ec;
  if (!std::filesystem::exists(l.value().vault_key(), ec)) return {};
  auto vault = vault::Vault::open(l.value().vault_key());
  if (!vault) return vault.failure();
  // One secret that does not open must not stop the others from being masked.
  std::optional<Failure> first_failure;
  for (const char* kind : {"password", "client_secret", "access_token", "refresh_token", "id_token"}) {
    auto secret = vault::get_secret(db, vault.value(), account, kind);
    if (!secret) {
      if (!first_failure) first_failure = secret.failure();
    } else if (secret.value()) {
      protect_secret(*secret.value());
    }
  }
  if (first_failure) return *first_failure;
  return {};
}

int exit_code_for(const Failure& failure) {
  const std::string& c = failure.code;
  if (c == "usage" || c == "accounts.invalid" || c == "accounts.not_found" || c.starts_with("datadir.") ||
      c == "store.too_new" || c == "oauth.no_client")
    return kExitUsage;
  return kExitFailed;
}

nlohmann::json failure_json(const Failure& failure) {
  auto e = diagnostics::explain(failure);
  return {{"code", e.code}, {"title", e.title}, {"reason", e.reason}, {"remedy", e.remedy}, {"detail", e.detail}};
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
