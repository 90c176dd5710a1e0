// What commands that act on one account share: the account loaded with its store and vault, and
// the secret it signs in to the mail servers with.
#pragma once

#include <string>

#include "accounts/account.h"
#include "cli/context.h"
#include "result.h"
#include "store/database.h"
#include "vault/vault.h"

namespace md::cli {

struct OpenedAccount {
  store::Database* db;
  vault::Vault vault;
  accounts::Account account;
};

// accounts.not_found (and the data dir's, store's and vault's failures).
Result<OpenedAccount> open_account(CommandContext& ctx, const std::string& name);

// The saved password, or an access token refreshed when it expires within the default margin;
// registered with the log's redactor before it is used. oauth.not_signed_in / auth.no_password
// when there is none, and the refresh's failures.
Result<std::string> sign_in_secret(CommandContext& ctx, const OpenedAccount& opened);

}  // namespace md::cli
