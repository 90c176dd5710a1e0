// The token endpoint (RFC 6749 4.1.3, 6; RFC 7009 revocation): code exchange with the PKCE
// verifier, refresh with rotation, revocation, and the strict reading of token answers. Client
// authentication is client_secret_post when the client has a secret, else none (public client).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_client.h"
#include "oauth/client_config.h"
#include "result.h"

namespace md::oauth {

// POSTs a form to one of the client's endpoints with client_id (and client_secret when
// configured) added. Transport failures become "oauth.endpoint_unreachable" with the network's
// code in the detail ("tcp.refused: ..."); an oversized answer becomes "oauth.bad_response".
Result<net::HttpResponse> post_to_endpoint(const ClientConfig& cfg, const std::string& url, net::FormFields form,
                                           net::Transcript* transcript);

// Reads a 200 answer of the token endpoint strictly: access_token a non-empty string, token_type
// "Bearer", expires_in a number, refresh_token/id_token/scope strings when present; anything else
// → "oauth.bad_response". A non-200 answer, or a 200 carrying `error`, goes to map_token_error.
// `requested_scopes` stand in for an omitted `scope`.
Result<TokenSet> parse_token_response(long http_status, std::string_view body,
                                      const std::vector<std::string>& requested_scopes,
                                      std::chrono::system_clock::time_point now);

Result<TokenSet> exchange_code(const ClientConfig& cfg, std::string_view code, std::string_view verifier,
                               std::string_view redirect_uri, net::Transcript* transcript = nullptr);

// Keeps `refresh_token` when the answer has none; takes the new one when the server rotates it
// (oidc-provider and Microsoft do; the old one is dead from then on, so the caller must store the
// result before anything else). The id_token is the answer's own, if any: an old one describes an
// older sign-in and is not carried over.
Result<TokenSet> refresh(const ClientConfig& cfg, std::string_view refresh_token,
                         net::Transcript* transcript = nullptr);

// RFC 7009. `hint` is "refresh_token" or "access_token" (or empty). Fails "accounts.invalid" when
// the client has no revocation endpoint.
Result<void> revoke(const ClientConfig& cfg, std::string_view token, std::string_view hint,
                    net::Transcript* transcript = nullptr);

// Space-separated scope string → list (empty items dropped).
std::vector<std::string> split_scopes(std::string_view scope);

}  // namespace md::oauth
