// The audit log (table `audit`): one row per admin sign-in attempt, lockout and admin action —
// who, when, what, on which account, and a JSON detail. Rows are only ever added. Callers must never
// put a password, token or secret in a detail.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "result.h"
#include "store/database.h"

namespace md::admin {

// Action names written by this module (other modules add their own, e.g. "account.reset_counter").
inline constexpr std::string_view kActionSignIn = "admin.sign_in";
inline constexpr std::string_view kActionSignInFailed = "admin.sign_in_failed";
inline constexpr std::string_view kActionLockedOut = "admin.locked_out";
inline constexpr std::string_view kActionAdd = "admin.add";
inline constexpr std::string_view kActionPasswd = "admin.passwd";
inline constexpr std::string_view kActionRemove = "admin.remove";

struct AuditRow {
  int64_t id = 0;
  std::string at;                      // ISO 8601 UTC, milliseconds
  std::optional<std::string> admin;    // who acted (nullopt: nobody known, e.g. an unknown name)
  std::string action;                  // "admin.sign_in", ...
  std::optional<std::string> account;  // the mail account concerned, if any
  nlohmann::json detail;               // an object; a damaged stored detail comes back as a string
};

// Appends one row. Runs no transaction of its own: inside a caller's store::Transaction the row
// commits or rolls back with the caller's change (that is how a counter reset and its audit row stay
// together); outside one it is a single atomic insert. Throws store::Error (use inside a try block
// that rolls back). An empty admin or account is stored as NULL; a null detail as {}.
void write_audit(store::Database& db, std::string_view admin, std::string_view action, std::string_view account,
                 const nlohmann::json& detail,
                 std::chrono::system_clock::time_point at = std::chrono::system_clock::now());

// The same, returning store.* failures instead of throwing. When called inside a caller's
// transaction and it fails, the caller must not commit.
Result<void> audit(store::Database& db, std::string_view admin, std::string_view action, std::string_view account,
                   const nlohmann::json& detail,
                   std::chrono::system_clock::time_point at = std::chrono::system_clock::now());

// Newest first, at most `limit` rows (limit <= 0: none), optionally only those about one account.
Result<std::vector<AuditRow>> recent_audit(store::Database& db, int limit,
                                           const std::optional<std::string>& account = std::nullopt);

nlohmann::json to_json(const AuditRow& row);

}  // namespace md::admin
