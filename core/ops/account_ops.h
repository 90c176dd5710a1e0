// Changing and removing an account: one operation each for the command line (`account edit`,
// `account remove`) and the window (Edit, Change password, Remove). The account row and its secrets
// change together or not at all.
#pragma once

#include <optional>
#include <string>

#include "accounts/account.h"
#include "admin/admins.h"
#include "net/http_client.h"
#include "result.h"
#include "store/database.h"
#include "vault/vault.h"

namespace md::ops {

// A file the account names (the CA file) exists and can be read: accounts.invalid otherwise, naming
// the file and why. Reads the disk: never on the UI thread.
Result<void> check_account_files(const accounts::Account& account);

// An OAuth account given an issuer alone: its endpoints from the issuer's OpenID configuration
// (the ones already set win). Nothing to do for others. oauth.* failures of discovery.
Result<void> discover_endpoints(accounts::Account& account, net::Transcript* transcript);

struct AccountEdit {
  accounts::Account account;                 // the settings as they should be (same name)
  std::optional<std::string> password;       // a new password to seal
  std::optional<std::string> client_secret;  // a new OAuth client secret to seal
};

struct EditOutcome {
  accounts::Account account;
  // The saved sign-in was for another address, OAuth client or token endpoint: it was forgotten and
  // the account must sign in again.
  bool tokens_forgotten = false;
};

// Validates (files included), then writes the settings and the new secrets in one transaction.
// accounts.not_found, accounts.invalid, vault.* and store.* failures.
Result<EditOutcome> edit_account(store::Database& db, const vault::Vault& vault, const AccountEdit& edit);

// What removing the account forgets of its downloads: a counter or stored messages. Forgetting them
// lets the next account with that mailbox download everything again, which is a counter reset, so
// removing such an account needs an admin. Throws store::Error.
struct SyncFootprint {
  long long last_uid = 0;         // IMAP counter
  long long pop3_uidls = 0;       // POP3's downloaded set
  long long stored_messages = 0;  // in the local store
  bool empty() const { return last_uid == 0 && pop3_uidls == 0 && stored_messages == 0; }
};
SyncFootprint sync_footprint(store::Database& db, std::string_view account);

struct RemoveOutcome {
  std::string revocation = "none";  // "none", "revoked" or "failed" (the provider could not be asked)
  std::optional<Failure> revocation_failure;
  SyncFootprint forgotten;
};

// Revokes the saved sign-in where the provider can (a provider that cannot be reached does not keep
// the account), then removes the account with its secrets, tokens, counter and messages. An
// account with a footprint needs `admin` (admin.not_authorized otherwise); the removal is audited
// with what it forgot.
Result<RemoveOutcome> remove_account(store::Database& db, const vault::Vault* vault, const std::string& name,
                                     const std::optional<admin::AdminSession>& admin, net::Transcript* transcript,
                                     admin::Clock::time_point now);

}  // namespace md::ops
