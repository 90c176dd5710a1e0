// One saved account opened for an operation, the same way for the command line and the window: its
// row, the vault its secrets are sealed in, and the secret it signs in to the mail servers with.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "accounts/account.h"
#include "datadir.h"
#include "net/http_client.h"
#include "result.h"
#include "store/database.h"
#include "vault/vault.h"

namespace md::ops {

// Every secret an operation reads (password, access token) goes here before it is used, so the
// caller's protocol-log redactor knows it before any line can carry it.
using ProtectSecret = std::function<void(std::string_view)>;

struct OpenedAccount {
  store::Database* db;  // the caller's connection (one per thread), never owned here
  vault::Vault vault;
  accounts::Account account;
};

// accounts.not_found, and the vault's failures.
Result<OpenedAccount> open_account(store::Database& db, const DataLayout& layout, const std::string& name);

// The saved password, or an access token refreshed when it expires within the default margin
// (its HTTP traffic narrated to `http`). oauth.not_signed_in / auth.no_password when there is none,
// and the refresh's failures.
Result<std::string> sign_in_secret(const OpenedAccount& opened, net::Transcript* http, const ProtectSecret& protect);

}  // namespace md::ops
