// The account model: who the mailbox belongs to, where its servers are, how it signs in.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "result.h"

namespace md::accounts {

enum class Provider { gmail, microsoft, custom };
enum class AuthMethod { oauth2, password };
enum class Security { tls, starttls, none };
enum class Protocol { imap, pop3, smtp };

const char* to_string(Provider p);
const char* to_string(AuthMethod a);
const char* to_string(Security s);
const char* to_string(Protocol p);
std::optional<Provider> parse_provider(std::string_view s);
std::optional<AuthMethod> parse_auth_method(std::string_view s);
std::optional<Security> parse_security(std::string_view s);

struct ServerEndpoint {
  bool enabled = false;
  std::string host;
  int port = 0;
  Security security = Security::tls;
};

struct OAuthSettings {
  std::string issuer;  // empty: no issuer checks (Microsoft's multi-tenant endpoints)
  std::string authorize_url, token_url, device_url, revoke_url, userinfo_url;
  std::string client_id;  // empty: oauth.no_client until the user registers one
  std::vector<std::string> scopes;
  std::string mail_scope;  // must be among the granted scopes after sign-in
  std::string tenant;      // Microsoft: common, organizations, consumers or a tenant id
  std::vector<std::pair<std::string, std::string>> extra_authorize_params;
};

struct Account {
  std::string name;   // the user's handle for it: "alice", "front-desk"
  std::string email;  // the mailbox address; the signed-in identity must match it
  Provider provider = Provider::custom;
  AuthMethod auth = AuthMethod::oauth2;
  std::string username;  // for the mail servers; the address when empty
  ServerEndpoint imap, pop3, smtp;
  OAuthSettings oauth;
  std::optional<std::string> ca_file;  // extra trusted CA (PEM) for a private server
  int timeout_s = 20;                  // bounds every network step
  bool verify_tls = true;              // off only by explicit choice; shown in red everywhere
  std::string created_at, updated_at;

  const std::string& login_name() const { return username.empty() ? email : username; }
  const ServerEndpoint& endpoint(Protocol p) const;
};

// "host:port", "[v6]:port". Fails with accounts.invalid naming the flag.
Result<std::pair<std::string, int>> parse_host_port(std::string_view text, std::string_view flag);
// Every rule an account must satisfy before it is saved; the first broken one is reported.
Result<void> validate(const Account& a);
// The mail permission among a custom provider's scopes: the one scope that is not an OpenID Connect
// or OAuth one (openid, email, profile, offline_access, address, phone), whatever the order.
// accounts.invalid when there is none, or several (then it must be named: --mail-scope).
Result<std::string> infer_mail_scope(const std::vector<std::string>& scopes);
bool valid_account_name(std::string_view name);
// http:// on this machine (127.0.0.1, localhost, [::1]): the only place plain HTTP is allowed for
// OAuth endpoints (test servers, a local identity provider).
bool is_loopback_url(std::string_view url);
// One '@' with something on both sides, no spaces or angle brackets.
bool valid_email(std::string_view email);
// The usual security of a mail port: STARTTLS on 143, 110, 587 and 25, implicit TLS elsewhere.
Security default_security(int port);

}  // namespace md::accounts
