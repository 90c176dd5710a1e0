// What MailDoctor needs to know about one OAuth client registration (endpoints, client id, scopes),
// and the tokens a sign-in yields. Plain data: the account module fills a ClientConfig from its
// settings, the vault stores a TokenSet.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "net/http_client.h"

namespace md::oauth {

struct ClientConfig {
  // Empty: no issuer checks (Microsoft's multi-tenant "common" endpoints answer for many issuers).
  std::string issuer;
  std::string authorize_url, token_url, device_url, revoke_url, userinfo_url;
  std::string client_id;
  // Sent as client_secret_post when set (Google's "installed app" clients have a non-secret one).
  std::optional<std::string> client_secret;
  std::vector<std::string> scopes;
  std::string mail_scope;  // the scope that must be granted for IMAP/POP3/SMTP to work
  // e.g. access_type=offline, prompt=consent for Google
  std::vector<std::pair<std::string, std::string>> extra_authorize_params;
  net::HttpOptions http;
};

struct TokenSet {
  std::string access_token;
  std::optional<std::string> refresh_token;
  std::optional<std::string> id_token;
  std::string token_type;  // "Bearer"
  std::chrono::system_clock::time_point expires_at, obtained_at;
  // From the token response's `scope`, else the requested ones (RFC 6749 5.1: omitted means "as
  // requested").
  std::vector<std::string> granted_scopes;
};

}  // namespace md::oauth
