// Each account's last check, kept in the settings table under "last_check:<name>" as its
// `check --json` document: written by `check` and the window, read back by `status`, the support
// report, the account list's colour and the window after a restart. One place for all of them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "diagnostics/check_report.h"
#include "result.h"
#include "store/database.h"

namespace md::diagnostics {

// Never fails the check it records: a report that cannot be kept is not a reason to.
void save_last_check(store::Database& db, const CheckReport& report);
// The stored document as it was written, nullopt when the account was never checked; a store
// failure when it cannot be read.
Result<std::optional<std::string>> load_last_check(store::Database& db, std::string_view account);
// The report back from its `check --json` document; nullopt when it is not one (a damaged row).
std::optional<CheckReport> parse_check_report(std::string_view document);

}  // namespace md::diagnostics
