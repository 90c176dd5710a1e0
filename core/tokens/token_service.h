// An account's OAuth tokens over time: saving a sign-in (sealed secrets + what may be shown, in one
// transaction), a fresh access token on demand (refreshing a margin before expiry and keeping a
// rotated refresh token), and the status the window and `token --json` show — never a token.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "accounts/account.h"
#include "net/http_client.h"
#include "oauth/client_config.h"
#include "result.h"
#include "store/database.h"
#include "vault/vault.h"

namespace md::tokens {

// Refresh this long before the access token expires (DESIGN.md: automatic refresh before expiry).
inline constexpr std::chrono::seconds kDefaultRefreshMargin{300};

struct TokenStatus {
  bool signed_in = false;  // an access or refresh token is saved
  std::optional<std::chrono::system_clock::time_point> expires_at;
  std::vector<std::string> scopes;
  std::string identity;
  std::optional<std::chrono::system_clock::time_point> refresh_issued_at;
  std::optional<std::chrono::system_clock::time_point> last_refresh_at;
  bool refresh_token_saved = false;
  // A refresh token is saved and the provider has not refused it: after invalid_grant the sign-in is
  // dead even while the access token still works, and nothing will refresh it.
  bool refreshable = false;
  std::optional<Failure> last_error;  // the last refresh's failure, e.g. oauth.invalid_grant

  bool sign_in_dead() const { return last_error && last_error->code == "oauth.invalid_grant"; }

  long long seconds_left(std::chrono::system_clock::time_point now) const;
};

// The account's OAuth client, with its client secret from the vault when one is saved.
Result<oauth::ClientConfig> client_config(store::Database& db, const vault::Vault& vault,
                                          const accounts::Account& account);
// The same with the client secret given (the window's setup flow signs in before it saves).
// oauth.no_client when the account has no client id.
Result<oauth::ClientConfig> client_config(const accounts::Account& account, std::optional<std::string> client_secret);

// Saves a successful sign-in: the tokens sealed, the status in the clear.
Result<void> save_sign_in(store::Database& db, const vault::Vault& vault, const accounts::Account& account,
                          const oauth::TokenSet& tokens, const std::string& identity);

Result<TokenStatus> load_status(store::Database& db, std::string_view account);

struct FreshToken {
  std::string access_token;
  bool refreshed = false;
};
// The access token, refreshed first when it expires within `margin` or when `force` is set. A failed
// refresh is recorded in the status (the window turns the account red) and returned.
Result<FreshToken> fresh_access_token(store::Database& db, const vault::Vault& vault, const accounts::Account& account,
                                      std::chrono::seconds margin, bool force, net::Transcript* transcript);

// Forgets the saved tokens (after revocation, or when the user signs in as someone else).
Result<void> forget_tokens(store::Database& db, std::string_view account);

// The `token --json` document: expires_at, seconds_left, scopes, identity, refresh_token_age_s,
// refreshable (and refresh_token_saved, sign_in_dead, last_refresh_at, last_error).
nlohmann::json to_json(const TokenStatus& status, std::chrono::system_clock::time_point now);

}  // namespace md::tokens
