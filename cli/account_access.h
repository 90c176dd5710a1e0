// The command line's way into core/ops for one account: the data dir, store and log of this
// command, handed to ops::open_account and ops::sign_in_secret.
#pragma once

#include <string>

#include "cli/context.h"
#include "ops/opened_account.h"

namespace md::cli {

using ops::OpenedAccount;

// accounts.not_found (and the data dir's, store's and vault's failures).
Result<OpenedAccount> open_account(CommandContext& ctx, const std::string& name);

// ops::sign_in_secret with this command's transcript and redactor.
Result<std::string> sign_in_secret(CommandContext& ctx, const OpenedAccount& opened);

// What this command's redactor must learn before a secret is used.
ops::ProtectSecret protect_secret(CommandContext& ctx);

}  // namespace md::cli
