// What the workspace's files share and nothing else uses: a worker's own handles on an account.
#pragma once

#include <string>

#include "accounts/account.h"
#include "datadir.h"
#include "result.h"
#include "store/database.h"
#include "vault/vault.h"

namespace md::detail {

struct Opened {
  store::Database db;
  vault::Vault vault;
  accounts::Account account;
};

// Workers open their own connection: one Database per thread.
Result<Opened> open_account(const DataLayout& layout, const std::string& name);

}  // namespace md::detail
