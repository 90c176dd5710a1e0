#include "oauth/token_endpoint.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "net/http_client.h"
#include "oauth/errors.h"
#include "oauth/json_body.h"

namespace md::oauth {
namespace {

// RFC 6749 makes expires_in only RECOMMENDED; an hour is what Google and Microsoft issue.
constexpr std::chrono::seconds kDefaultLifetime{3600};
// No real access token lives for more than a few days; a bigger number is a broken answer that
// would otherwise overflow the time_point arithmetic.
constexpr std::chrono::seconds kMaxLifetime{366 * 24 * 3600};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// The body is shown with token values masked: a wrong-shaped answer may still carry a real token.
Failure bad(const std::string& why, std::string_view body) {
  return fail("oauth.bad_response", "The token endpoint's answer is not a valid token response: " + why +
                                        " (body starts: \"" + one_line(net::masked_body(body), 120) + "\").");
}

}  // namespace

std::vector<std::string> split_scopes(std::string_view scope) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < scope.size()) {
    size_t end = scope.find(' ', pos);
    if (end == std::string_view::npos) end = scope.size();
    if (end > pos) out.emplace_back(scope.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

Result<net::HttpResponse> post_to_endpoint(const ClientConfig& cfg, const std::string& url, net::FormFields form,
                                           net::Transcript* transcript) {
  form.emplace_back("client_id", cfg.client_id);
  if (cfg.client_secret && !cfg.client_secret->empty()) form.emplace_back("client_secret", *cfg.client_secret);
  auto resp = net::http_post_form(url, form, {{"Accept", "application/json"}}, cfg.http, transcript);
  if (!resp) {
    const Failure& f = resp.failure();
    if (f.code == "accounts.invalid") return f;  // the URL itself is unusable: a setting to correct
    if (f.code == "http.response_too_large" || f.code == "protocol.bad_response")
      return fail("oauth.bad_response", f.code + ": " + f.detail);
    return fail("oauth.endpoint_unreachable", f.code + ": " + f.detail);
  }
  return resp;
}

Result<TokenSet> parse_token_response(long http_status, std::string_view body,
                                      const std::vector<std::string>& requested_scopes,
                                      std::chrono::system_clock::time_point now) {
  auto j = parse_json_object(body);
  if (http_status != 200 || (j && j->contains("error"))) return map_token_error(http_status, body);
  if (!j) return map_token_error(http_status, body);  // HTML or garbage with a 200: a portal, not a token

  TokenSet t;
  t.obtained_at = now;
  switch (string_field(*j, "access_token", t.access_token)) {
    case Field::absent: return bad("no access_token", body);
    case Field::wrong_type: return bad("access_token is not a string", body);
    case Field::ok:
      if (t.access_token.empty()) return bad("access_token is empty", body);
      break;
  }
  switch (string_field(*j, "token_type", t.token_type)) {
    case Field::absent: return bad("no token_type", body);
    case Field::wrong_type: return bad("token_type is not a string", body);
    case Field::ok:
      // XOAUTH2 and OAUTHBEARER carry bearer tokens only.
      if (!iequals(t.token_type, "Bearer"))
        return bad("token_type is \"" + one_line(t.token_type, 40) + "\", not Bearer", body);
      break;
  }
  std::chrono::seconds lifetime = kDefaultLifetime;
  if (seconds_field(*j, "expires_in", kMaxLifetime, lifetime) == Field::wrong_type)
    return bad("expires_in is not a number of seconds from 0 to a year", body);
  t.expires_at = now + lifetime;
  std::string s;
  switch (string_field(*j, "refresh_token", s)) {
    case Field::wrong_type: return bad("refresh_token is not a string", body);
    case Field::ok:
      if (!s.empty()) t.refresh_token = s;
      break;
    case Field::absent: break;
  }
  s.clear();
  switch (string_field(*j, "id_token", s)) {
    case Field::wrong_type: return bad("id_token is not a string", body);
    case Field::ok:
      if (!s.empty()) t.id_token = s;
      break;
    case Field::absent: break;
  }
  s.clear();
  switch (string_field(*j, "scope", s)) {
    case Field::wrong_type: return bad("scope is not a string", body);
    case Field::ok: t.granted_scopes = split_scopes(s); break;
    case Field::absent: t.granted_scopes = requested_scopes; break;
  }
  return t;
}

Result<TokenSet> exchange_code(const ClientConfig& cfg, std::string_view code, std::string_view verifier,
                               std::string_view redirect_uri, net::Transcript* transcript) {
  if (cfg.token_url.empty()) return fail("accounts.invalid", "The account has no token endpoint URL.");
  auto resp = post_to_endpoint(cfg, cfg.token_url,
                               {{"grant_type", "authorization_code"},
                                {"code", std::string(code)},
                                {"redirect_uri", std::string(redirect_uri)},
                                {"code_verifier", std::string(verifier)}},
                               transcript);
  if (!resp) return resp.failure();
  return parse_token_response(resp.value().status, resp.value().body, cfg.scopes, std::chrono::system_clock::now());
}

Result<TokenSet> refresh(const ClientConfig& cfg, std::string_view refresh_token, net::Transcript* transcript) {
  if (cfg.token_url.empty()) return fail("accounts.invalid", "The account has no token endpoint URL.");
  if (refresh_token.empty()) return fail("oauth.not_signed_in", "There is no refresh token: sign in again.");
  auto resp = post_to_endpoint(
      cfg, cfg.token_url, {{"grant_type", "refresh_token"}, {"refresh_token", std::string(refresh_token)}}, transcript);
  if (!resp) return resp.failure();
  auto tokens =
      parse_token_response(resp.value().status, resp.value().body, cfg.scopes, std::chrono::system_clock::now());
  if (!tokens) return tokens;
  // RFC 6749 6: the server MAY issue a new refresh token; when it does not, the old one stays valid.
  if (!tokens.value().refresh_token) tokens.value().refresh_token = std::string(refresh_token);
  return tokens;
}

Result<void> revoke(const ClientConfig& cfg, std::string_view token, std::string_view hint,
                    net::Transcript* transcript) {
  if (cfg.revoke_url.empty()) return fail("accounts.invalid", "The account has no token revocation endpoint.");
  net::FormFields form{{"token", std::string(token)}};
  if (!hint.empty()) form.emplace_back("token_type_hint", std::string(hint));
  auto resp = post_to_endpoint(cfg, cfg.revoke_url, std::move(form), transcript);
  if (!resp) return resp.failure();
  // RFC 7009 2.2: 200 whether or not the token was valid; anything else is an error answer.
  if (resp.value().status == 200) return {};
  return map_token_error(resp.value().status, resp.value().body);
}

}  // namespace md::oauth
