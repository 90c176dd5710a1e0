#include "oauth/identity.h"

#include <algorithm>
#include <cctype>

#include "oauth/json_body.h"
#include "oauth/token_endpoint.h"
#include "util/encoding.h"
#include "util/text.h"

namespace md::oauth {
namespace {

constexpr auto kExpiryLeeway = std::chrono::minutes(10);  // clock skew between us and the issuer

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  std::string b64(text);
  for (char& c : b64) {
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
    else if (c == '+' || c == '/' || c == '=')
      return std::nullopt;  // not base64url
  }
  if (b64.size() % 4 == 1) return std::nullopt;
  while (b64.size() % 4 != 0) b64 += '=';
  return util::base64_decode(b64);
}

// `email`, else `preferred_username`, else `upn`: the first non-empty string.
std::optional<std::string> address_claim(const nlohmann::json& claims) {
  for (const char* key : {"email", "preferred_username", "upn"}) {
    std::string v;
    if (string_field(claims, key, v) == Field::ok && !v.empty()) return v;
  }
  return std::nullopt;
}

// The id_token's claims once its issuer, audience and expiry hold.
Result<nlohmann::json> checked_id_token_claims(const ClientConfig& cfg, const TokenSet& tokens) {
  auto claims = decode_jwt_payload(*tokens.id_token);
  if (!claims) return fail("oauth.bad_response", "The id_token from the token endpoint is not a readable JWT.");
  std::string iss;
  if (string_field(*claims, "iss", iss) == Field::wrong_type)
    return fail("oauth.bad_response", "The id_token's `iss` is not a string.");
  if (!cfg.issuer.empty() && !iss.empty() && iss != cfg.issuer)
    return fail("oauth.issuer_mismatch",
                "The id_token was issued by \"" + one_line(iss, 200) + "\", not by \"" + cfg.issuer + "\".");
  bool audience_ok = false;
  if (auto aud = claims->find("aud"); aud != claims->end()) {
    if (aud->is_string()) audience_ok = aud->get<std::string>() == cfg.client_id;
    if (aud->is_array())
      audience_ok = std::any_of(aud->begin(), aud->end(), [&](const nlohmann::json& a) {
        return a.is_string() && a.get<std::string>() == cfg.client_id;
      });
  }
  if (!audience_ok) return fail("oauth.bad_response", "The id_token is not addressed to this app's client id.");
  auto exp = claims->find("exp");
  if (exp == claims->end() || !exp->is_number())
    return fail("oauth.bad_response", "The id_token has no numeric `exp`.");
  double exp_s = exp->get<double>();
  auto obtained_s = std::chrono::duration_cast<std::chrono::seconds>(tokens.obtained_at.time_since_epoch()).count();
  if (exp_s + static_cast<double>(std::chrono::seconds(kExpiryLeeway).count()) < static_cast<double>(obtained_s))
    return fail("oauth.bad_response",
                "The id_token had already expired when it was received (check this computer's clock).");
  return std::move(*claims);
}

Result<std::string> from_userinfo(const ClientConfig& cfg, const TokenSet& tokens, net::Transcript* transcript,
                                  std::string_view why) {
  if (cfg.userinfo_url.empty())
    return fail("oauth.identity_unknown",
                std::string(why) +
                    " and the provider has no userinfo endpoint: ask for the openid and email (or "
                    "profile) scopes so the id_token names the address.");
  auto resp = net::http_get(cfg.userinfo_url,
                            {{"Authorization", "Bearer " + tokens.access_token}, {"Accept", "application/json"}},
                            cfg.http, transcript);
  if (!resp) return fail("oauth.endpoint_unreachable", resp.failure().code + ": " + resp.failure().detail);
  const int status = resp.value().status;
  if (status == 401 || status == 403)
    // Microsoft's mail token is for outlook.office.com, not for Graph's userinfo: a refusal here says
    // nothing about the sign-in itself.
    return fail("oauth.identity_unknown",
                std::string(why) + ", and the userinfo endpoint refused this access token (HTTP " +
                    std::to_string(status) + ": \"" + one_line(resp.value().body, 200) +
                    "\"); a token for the mail server only is often not accepted there: ask for the profile "
                    "or email scope so the id_token names the address.");
  if (status != 200)
    return fail("oauth.bad_response", "The userinfo endpoint answered HTTP " + std::to_string(status) + ": \"" +
                                          one_line(resp.value().body, 200) + "\".");
  auto claims = parse_json_object(resp.value().body);
  if (!claims) return fail("oauth.bad_response", "The userinfo answer is not a JSON object.");
  auto address = address_claim(*claims);
  if (!address)
    return fail("oauth.identity_unknown", std::string(why) +
                                              ", and the userinfo answer names no address either (no email, "
                                              "preferred_username or upn): ask for the email scope.");
  return *address;
}

}  // namespace

std::optional<nlohmann::json> decode_jwt_payload(std::string_view jwt) {
  size_t a = jwt.find('.');
  if (a == std::string_view::npos) return std::nullopt;
  size_t b = jwt.find('.', a + 1);
  if (b == std::string_view::npos || jwt.find('.', b + 1) != std::string_view::npos) return std::nullopt;
  auto payload = base64url_decode(jwt.substr(a + 1, b - a - 1));
  if (!payload) return std::nullopt;
  return parse_json_object(*payload);
}

Result<std::string> signed_in_identity(const ClientConfig& cfg, const TokenSet& tokens, net::Transcript* transcript) {
  if (!tokens.id_token || tokens.id_token->empty())
    return from_userinfo(cfg, tokens, transcript, "The token response has no id_token");
  auto claims = checked_id_token_claims(cfg, tokens);
  if (!claims) return claims.failure();
  if (auto address = address_claim(claims.value())) return *address;
  // OpenID Connect Core 5.4: when an access token is issued, the claims the scopes ask for may be
  // given by the UserInfo endpoint only (oidc-provider's default, and other conformant providers').
  return from_userinfo(cfg, tokens, transcript, "The id_token names no address (no email, preferred_username or upn)");
}

Result<void> check_identity(std::string_view expected_email, std::string_view identity) {
  if (lower(expected_email) == lower(identity)) return {};
  return fail("auth.identity_mismatch", "Signed in as " + one_line(identity, 200) + ", but this account is for " +
                                            one_line(expected_email, 200) + ".");
}

Result<void> check_scopes(const std::vector<std::string>& granted, std::string_view mail_scope) {
  if (mail_scope.empty()) return {};
  const std::string want = lower(mail_scope);
  if (std::any_of(granted.begin(), granted.end(), [&](const std::string& s) { return lower(s) == want; })) return {};
  const std::string list = util::join(granted);
  return fail("auth.scope_missing", "The mail permission " + std::string(mail_scope) +
                                        " was not granted (granted: " + (list.empty() ? "nothing" : list) + ").");
}

Result<std::string> verify_sign_in(const ClientConfig& cfg, std::string_view expected_email, const TokenSet& tokens,
                                   net::Transcript* transcript) {
  auto identity = signed_in_identity(cfg, tokens, transcript);
  Result<void> checked = identity ? check_identity(expected_email, identity.value()) : Result<void>();
  if (identity && checked) checked = check_scopes(tokens.granted_scopes, cfg.mail_scope);
  if (identity && checked) return identity.value();
  if (!cfg.revoke_url.empty()) {
    (void)revoke(cfg, tokens.refresh_token.value_or(tokens.access_token),
                 tokens.refresh_token ? "refresh_token" : "access_token", transcript);
  }
  return identity ? checked.failure() : identity.failure();
}

}  // namespace md::oauth
