// Accounts in the store: one row each, the servers and OAuth details as a JSON document.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "accounts/account.h"
#include "result.h"
#include "store/database.h"

namespace md::accounts {

Result<void> insert_account(store::Database& db, Account a);
Result<void> update_account(store::Database& db, Account a);
Result<Account> load_account(store::Database& db, std::string_view name);
Result<std::vector<Account>> list_accounts(store::Database& db);
// Removes the account with its secrets and token state (ON DELETE CASCADE).
Result<void> remove_account(store::Database& db, std::string_view name);

// The settings document; also what `account show --json` prints. Holds no secret.
nlohmann::json to_json(const Account& a);
Result<Account> from_json(const nlohmann::json& j);

}  // namespace md::accounts
