#include "workspace.h"

#include <filesystem>

#include "accounts/repository.h"
#include "store/database.h"
#include "store/schema.h"

namespace md {
namespace {

constexpr size_t kLogRingCapacity = 200'000;

// At a glance: red when the last token refresh failed, amber when an OAuth account has not signed
// in yet, grey until checks have run (the check ladder fills in green later).
Health account_health(store::Database& db, const accounts::Account& a) {
  if (a.auth != accounts::AuthMethod::oauth2) return Health::unknown;
  auto st = db.prepare(
      "SELECT (SELECT last_error FROM token_state WHERE account = ?1), "
      "(SELECT count(*) FROM secrets WHERE account = ?1 AND kind IN ('access_token', 'refresh_token'))");
  st.bind(1, a.name);
  if (!st.step()) return Health::unknown;
  if (!st.is_null(0)) return Health::failed;
  if (st.column_int(1) == 0) return Health::warning;
  return Health::unknown;
}

}  // namespace

Workspace::Workspace(DataLayout layout, std::function<void()> wake)
    : layout_(std::move(layout)), redactor_(std::make_unique<protolog::Redactor>()) {
  log_ = std::make_unique<protolog::ProtoLog>(
      kLogRingCapacity,
      [r = redactor_.get()](std::string_view line, protolog::Direction d) { return r->redact(line, d); },
      layout_.logs_dir());
  view_.data_dir = layout_.root.string();
  jobs_ = std::make_unique<jobs::JobRunner>(2, std::move(wake));
}

Workspace::~Workspace() {
  jobs_.reset();
}

void Workspace::start() {
  reload_accounts();
}

void Workspace::reload_accounts() {
  jobs_->submit("Load the accounts", [this](jobs::JobContext&) -> jobs::Completion {
    std::optional<Failure> error;
    std::vector<AccountSummary> accounts;
    if (auto prepared = prepare_data_dir(layout_.root); !prepared) {
      error = prepared.failure();
    } else if (auto db = store::Database::open(layout_.database(), store::schema()); !db) {
      error = db.failure();
    } else if (auto list = accounts::list_accounts(db.value()); !list) {
      error = list.failure();
    } else {
      std::error_code ec;
      std::filesystem::create_directories(layout_.logs_dir(), ec);
      for (const accounts::Account& a : list.value())
        accounts.push_back({a.name, a.email, accounts::to_string(a.provider), account_health(db.value(), a)});
    }
    return [this, error, accounts = std::move(accounts)]() mutable {
      view_.store_ready = !error;
      view_.store_error = error;
      view_.accounts = std::move(accounts);
    };
  });
}

void Workspace::frame() {
  jobs_->drain_completions();
  view_.jobs = jobs_->snapshot();
  view_.log_seq = log_->last_seq();
}

}  // namespace md
