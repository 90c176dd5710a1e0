// Who actually signed in, and with which permissions: the checks of setup step 4 that catch a user
// who picked another Google account or unticked the mail permission.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "net/http_client.h"
#include "oauth/client_config.h"
#include "result.h"

namespace md::oauth {

// The JSON payload of a JWT (header.payload.signature), signature not verified; nullopt when it is
// not three base64url parts with a JSON object in the middle.
std::optional<nlohmann::json> decode_jwt_payload(std::string_view jwt);

// The signed-in address. From the id_token when there is one: it came straight from the token
// endpoint over TLS, so OIDC Core 3.1.3.7 lets TLS stand in for the signature; its `iss` must still
// equal cfg.issuer (when both are set, else "oauth.issuer_mismatch"), `aud` must contain the
// client id and `exp` must not lie more than 10 minutes before the token was obtained (else
// "oauth.bad_response"). The address is `email`, else Microsoft's `preferred_username`, else `upn`.
// Without an id_token, or with one that names no address (OIDC Core 5.4 lets a provider give the
// claims at UserInfo only), the userinfo endpoint is asked with the access token. No address from
// either (no endpoint, the endpoint refuses the mail token, or it names none) →
// "oauth.identity_unknown" saying which scope makes the id_token name it.
Result<std::string> signed_in_identity(const ClientConfig& cfg, const TokenSet& tokens,
                                       net::Transcript* transcript = nullptr);

// Case-insensitive address comparison → "auth.identity_mismatch" naming both addresses.
Result<void> check_identity(std::string_view expected_email, std::string_view identity);

// `mail_scope` among the granted scopes (case-insensitively: Microsoft does not keep the case) →
// else "auth.scope_missing". An empty mail_scope passes.
Result<void> check_scopes(const std::vector<std::string>& granted, std::string_view mail_scope);

// Setup step 4 in one call, for `auth` and the window alike: the signed-in identity (as above) must
// be expected_email and the mail scope must be granted. Otherwise the tokens are revoked where the
// provider can (cfg.revoke_url), so they are never kept for the wrong mailbox, and the failure of
// the first check that broke is returned.
Result<std::string> verify_sign_in(const ClientConfig& cfg, std::string_view expected_email, const TokenSet& tokens,
                                   net::Transcript* transcript = nullptr);

}  // namespace md::oauth
