#include "oauth/errors.h"

#include <algorithm>
#include <cctype>

#include "net/http_client.h"
#include "oauth/json_body.h"

namespace md::oauth {
namespace {

struct AadstsRow {
  long long number;
  const char* code;
  const char* meaning;  // why, in a few words: several numbers share one code
};

// Microsoft Entra ID error numbers users actually hit (PROVIDER-FACTS.md).
constexpr AadstsRow kAadsts[] = {
    {50011, "oauth.redirect_uri_mismatch", "the redirect URI is not registered for this app"},
    {900971, "oauth.redirect_uri_mismatch", "no reply address is registered for this app"},
    {65001, "oauth.admin_consent_required", "consent to this app has not been granted"},
    {90094, "oauth.admin_consent_required", "an administrator must grant consent to this app"},
    {700016, "oauth.invalid_client", "no app with this client id in this tenant: wrong client id or wrong tenant"},
    {7000215, "oauth.invalid_client",
     "invalid client secret: the secret's ID may have been pasted instead of its value"},
    {7000222, "oauth.invalid_client", "the client secret has expired"},
    {7000218, "oauth.invalid_client",
     "the app is registered as a Web app and wants a client secret: allow public client flows (Mobile and desktop)"},
    {700082, "oauth.invalid_grant", "the refresh token expired after a long time without use"},
    {50173, "oauth.invalid_grant", "the grant was revoked, for example after a password change or reset"},
    {70043, "oauth.invalid_grant", "the sign-in expired under a Conditional Access sign-in frequency policy"},
    {70008, "oauth.invalid_grant", "the authorization code or refresh token has expired"},
    {54005, "oauth.invalid_grant", "the authorization code was already used: sign in again"},
    {50058, "oauth.invalid_grant", "no one is signed in for a silent sign-in: sign in interactively"},
    // Signing in again alone does not help with these: a policy or the account itself decides.
    {50076, "auth.mfa_required", "multi-factor authentication is required by the organisation's policy"},
    {50079, "auth.mfa_required", "the user must register for multi-factor authentication"},
    {53003, "auth.conditional_access", "a Conditional Access policy blocks this sign-in"},
    {530003, "auth.conditional_access", "Conditional Access requires a managed device"},
    {50126, "auth.bad_credentials", "the user name or password is wrong"},
    {50034, "auth.wrong_tenant", "the account does not exist in this directory"},
    {50020, "auth.wrong_tenant", "the account is from another identity provider or tenant and not a guest here"},
    {50053, "auth.account_locked", "the account is locked after too many wrong passwords"},
    {50055, "auth.password_expired", "the password has expired"},
    {50057, "auth.account_disabled", "the user account is disabled"},
    {50105, "oauth.user_not_assigned", "the user is not assigned to this app"},
    {50194, "oauth.unauthorized_client", "a single-tenant app was used with the /common endpoint: use the tenant's"},
    {500113, "oauth.redirect_uri_mismatch", "no reply address is registered for the app"},
    {70011, "oauth.invalid_scope", "a requested scope is not valid"},
    {650057, "oauth.invalid_scope", "a requested permission is not listed in the app registration"},
    {65004, "oauth.access_denied", "the user declined consent"},
    {700025, "oauth.invalid_client", "a public client sent a client secret: remove it or register a Web app"},
    {7000112, "oauth.client_disabled", "the app registration is disabled"},
    {70016, "oauth.consent_timeout", "the device code was never entered and confirmed"},
    {70020, "oauth.device_expired", "the device code expired before it was used"},
};

const AadstsRow* find_aadsts(long long n) {
  for (const auto& row : kAadsts)
    if (row.number == n) return &row;
  return nullptr;
}

enum class Where { token_endpoint, redirect };

// RFC 6749, RFC 8628 and provider-specific `error` values.
std::optional<std::string> code_for_error(std::string_view error, Where where) {
  if (error == "invalid_grant" || error == "bad_verification_code") return "oauth.invalid_grant";
  if (error == "invalid_client") return "oauth.invalid_client";
  // Google's own values for a client that was deleted, disabled or is for its organisation only.
  if (error == "deleted_client") return "oauth.client_deleted";
  if (error == "disabled_client") return "oauth.client_disabled";
  if (error == "org_internal") return "oauth.org_internal";
  if (error == "unauthorized_client" || error == "unsupported_grant_type" || error == "unsupported_response_type")
    return "oauth.unauthorized_client";
  if (error == "access_denied" || error == "authorization_declined") return "oauth.access_denied";
  if (error == "redirect_uri_mismatch") return "oauth.redirect_uri_mismatch";
  if (error == "invalid_scope") return "oauth.invalid_scope";
  if (error == "invalid_request") return "oauth.invalid_request";
  if (error == "consent_required" || error == "admin_policy_enforced") return "oauth.admin_consent_required";
  // In the browser it asks for consent or an admin's approval; on a refresh it means "this grant
  // needs an interactive sign-in again" (MFA, Conditional Access), which is what invalid_grant says.
  if (error == "interaction_required")
    return where == Where::redirect ? "oauth.admin_consent_required" : "oauth.invalid_grant";
  if (error == "temporarily_unavailable" || error == "server_error") return "oauth.server_error";
  if (error == "expired_token") return "oauth.device_expired";
  return std::nullopt;
}

std::optional<long long> leading_aadsts(std::string_view description) {
  if (!description.starts_with("AADSTS")) return std::nullopt;
  size_t i = 6;
  long long n = 0;
  size_t digits = 0;
  while (i < description.size() && std::isdigit(static_cast<unsigned char>(description[i])) && digits < 12) {
    n = n * 10 + (description[i] - '0');
    ++i;
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  return n;
}

// The shared tail of every detail: what the server said, in its words, with the ids to quote.
std::string describe(const OAuthErrorBody& b, std::optional<long long> aadsts) {
  std::string out = "error=" + (b.error.empty() ? std::string("(none)") : one_line(b.error, 80));
  if (aadsts) {
    out += "; AADSTS" + std::to_string(*aadsts);
    if (const AadstsRow* row = find_aadsts(*aadsts)) out += std::string(" (") + row->meaning + ")";
  }
  if (!b.description.empty()) out += "; description: \"" + one_line(b.description, 400) + "\"";
  if (!b.trace_id.empty()) out += "; trace_id=" + one_line(b.trace_id, 80);
  if (!b.correlation_id.empty()) out += "; correlation_id=" + one_line(b.correlation_id, 80);
  if (!b.uri.empty()) out += "; see " + one_line(b.uri, 200);
  return out;
}

std::string decide(const OAuthErrorBody& b, std::optional<long long> aadsts, Where where) {
  if (aadsts)
    if (const AadstsRow* row = find_aadsts(*aadsts)) return row->code;
  if (auto c = code_for_error(b.error, where)) return *c;
  // An error value this version does not know: still a refusal of the request as made.
  return "oauth.invalid_request";
}

}  // namespace

std::optional<OAuthErrorBody> parse_error_body(std::string_view body) {
  auto j = parse_json_object(body);
  if (!j) return std::nullopt;
  OAuthErrorBody b;
  (void)string_field(*j, "error", b.error);
  (void)string_field(*j, "error_description", b.description);
  (void)string_field(*j, "error_uri", b.uri);
  (void)string_field(*j, "trace_id", b.trace_id);
  (void)string_field(*j, "correlation_id", b.correlation_id);
  if (auto it = j->find("error_codes"); it != j->end() && it->is_array()) {
    for (const auto& n : *it)
      if (n.is_number_integer()) b.error_codes.push_back(n.get<long long>());
  }
  return b;
}

std::optional<long long> aadsts_number(const OAuthErrorBody& body) {
  for (long long n : body.error_codes)
    if (find_aadsts(n) != nullptr) return n;
  if (!body.error_codes.empty()) return body.error_codes.front();
  return leading_aadsts(body.description);
}

Failure map_token_error(long http_status, std::string_view body) {
  const std::string status = "HTTP " + std::to_string(http_status);
  auto parsed = parse_error_body(body);
  // The server's words, with any token it put in them masked.
  const std::string shown = one_line(net::masked_body(body), 200);
  if (http_status >= 500 || http_status == 429) {
    std::string why = http_status == 429 ? " (too many requests)" : "";
    std::string what = parsed ? describe(*parsed, aadsts_number(*parsed)) : "body: \"" + shown + "\"";
    return fail("oauth.server_error", "The sign-in server answered " + status + why + "; " + what + ".");
  }
  if (!parsed) {
    std::string_view trimmed = body.substr(std::min(body.find_first_not_of(" \t\r\n"), body.size()));
    std::string kind = trimmed.empty()                ? "an empty body"
                       : trimmed.front() == '<'       ? "an HTML page, not OAuth JSON (a proxy or captive portal?)"
                       : nlohmann::json::accept(body) ? "JSON that is not an object, not an OAuth answer"
                                                      : "a body that is not JSON";
    return fail("oauth.bad_response",
                "The sign-in server answered " + status + " with " + kind + ": \"" + shown + "\".");
  }
  if (parsed->error.empty())
    return fail("oauth.bad_response",
                "The sign-in server answered " + status + " with JSON that has no OAuth `error`: \"" + shown + "\".");
  auto aadsts = aadsts_number(*parsed);
  return fail(decide(*parsed, aadsts, Where::token_endpoint),
              "The token endpoint answered " + status + ": " + describe(*parsed, aadsts) + ".");
}

Failure map_authorize_error(std::string_view error, std::string_view description, std::string_view error_uri) {
  OAuthErrorBody b;
  b.error = std::string(error);
  b.description = std::string(description);
  b.uri = std::string(error_uri);
  auto aadsts = aadsts_number(b);
  return fail(decide(b, aadsts, Where::redirect), "The sign-in page sent back " + describe(b, aadsts) + ".");
}

}  // namespace md::oauth
