// The setup flow's form: an account as the user types it (text fields, secrets included), the
// problems to show under each field while they type, and the Account it makes. No I/O: the window
// checks a draft every frame.
#pragma once

#include <string>
#include <vector>

#include "accounts/account.h"
#include "result.h"

namespace md::accounts {

enum class DraftField { name, email, username, password, imap, pop3, smtp, client_id, issuer, scopes, timeout };

struct AccountDraft {
  Provider provider = Provider::custom;
  AuthMethod auth = AuthMethod::password;
  std::string name, email, username;
  std::string imap, pop3, smtp;  // "host:port"; empty: not used
  Security imap_security = Security::tls, pop3_security = Security::tls, smtp_security = Security::tls;
  std::string tenant;     // Microsoft: "common" when empty
  std::string client_id;  // the OAuth client the user registered
  std::string issuer;     // other providers' OAuth: the endpoints come from its discovery document
  std::string scopes;     // other providers' OAuth, space-separated; the first one is the mail scope
  std::string ca_file;    // extra trusted CA for a private server
  std::string timeout = "20";
  // Secrets: they go to the vault at Save, never into a view, a log or the database in the clear.
  std::string password, client_secret;
  // Editing a saved account: an empty password or client secret keeps the saved one.
  bool editing = false;
};

// A draft with what the provider is known to use filled in (servers; OAuth for Gmail and Microsoft).
AccountDraft new_draft(Provider provider);

struct DraftProblem {
  DraftField field;
  std::string message;  // for the user: what is wrong and what to type instead
};

// Every problem of the draft, at most one per field, in the order of the form; none means it can be
// saved. `taken` are the names of the accounts that exist already.
std::vector<DraftProblem> check_draft(const AccountDraft& draft, const std::vector<std::string>& taken);
// The first problem of `field`, or nullptr.
const DraftProblem* problem_of(const std::vector<DraftProblem>& problems, DraftField field);

// The account the draft describes: the provider's preset, then what was typed. accounts.invalid
// with the first problem of check_draft (no names taken) when there is one. An account of another
// provider signing in with OAuth keeps empty endpoints until discovery fills them (needs_discovery).
Result<Account> build_account(const AccountDraft& draft);
// The form for editing a saved account: its settings as typed text, no secrets (editing is set).
AccountDraft draft_from_account(const Account& account);
// The saved account with the edited draft applied: what the form shows, changed; what it does not
// show (OAuth endpoints found by discovery, TLS verification, when it was made) kept. The endpoints
// are found again when the issuer changed (needs_discovery). accounts.invalid as build_account.
Result<Account> apply_draft(const Account& before, const AccountDraft& draft);
// True when the OAuth endpoints still have to come from the issuer's discovery document.
bool needs_discovery(const Account& account);

// What a sign-in depends on (provider, address, OAuth client and endpoints): tokens a sign-in gave
// for a draft stay good for any draft with the same key.
std::string sign_in_key(const AccountDraft& draft);

// A name for the account from its address ("alice" from alice@example.com), not one of `taken`.
std::string suggest_name(std::string_view email, const std::vector<std::string>& taken);

}  // namespace md::accounts
