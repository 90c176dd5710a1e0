#include "diagnostics/matchers.h"

#include <algorithm>
#include <cctype>

namespace md::diagnostics {
namespace {

using P = MailProtocol;
using S = SignIn;

// Most specific first: a provider's own words before generic response codes.
constexpr Matcher kMatchers[] = {
    // Microsoft 365
    {std::nullopt, std::nullopt, "User is authenticated but not connected", "auth.not_connected"},
    {P::smtp, std::nullopt, "SmtpClientAuthentication is disabled", "auth.smtp_auth_disabled"},
    {P::smtp, std::nullopt, "5.7.139", "auth.smtp_auth_disabled"},
    {std::nullopt, S::password, "basic authentication is disabled", "auth.mechanism_unavailable"},
    // Gmail
    {std::nullopt, std::nullopt, "Application-specific password required", "auth.app_password_required"},
    {std::nullopt, std::nullopt, "Please log in via your web browser", "auth.web_login_required"},
    {std::nullopt, std::nullopt, "WEBALERT", "auth.web_login_required"},
    {std::nullopt, std::nullopt, "not enabled for IMAP use", "auth.imap_disabled"},
    {std::nullopt, std::nullopt, "IMAP access is disabled", "auth.imap_disabled"},
    {std::nullopt, std::nullopt, "not enabled for POP", "auth.imap_disabled"},
    // Throttling and limits (RFC 5530 and providers' words)
    {P::imap, std::nullopt, "[THROTTLED]", "imap.throttled"},
    {P::imap, std::nullopt, "[LIMIT]", "imap.throttled"},
    {std::nullopt, std::nullopt, "Too many simultaneous connections", "imap.throttled"},
    {std::nullopt, std::nullopt, "Account exceeded command or bandwidth limits", "imap.throttled"},
    // Mailbox
    {P::imap, std::nullopt, "[NONEXISTENT]", "imap.mailbox_missing"},
    {P::imap, std::nullopt, "Mailbox doesn't exist", "imap.mailbox_missing"},
    {P::imap, std::nullopt, "Unknown Mailbox", "imap.mailbox_missing"},
    // Refused credentials: a token for OAuth accounts, a password otherwise.
    {std::nullopt, S::oauth2, "[AUTHENTICATIONFAILED]", "auth.token_rejected"},
    {std::nullopt, S::password, "[AUTHENTICATIONFAILED]", "auth.bad_credentials"},
    {P::pop3, S::oauth2, "[AUTH]", "auth.token_rejected"},
    {P::pop3, S::password, "[AUTH]", "auth.bad_credentials"},
    {std::nullopt, S::oauth2, "Username and Password not accepted", "auth.token_rejected"},
    {std::nullopt, S::password, "Username and Password not accepted", "auth.bad_credentials"},
    {std::nullopt, S::oauth2, "AUTHENTICATE failed", "auth.token_rejected"},
    {std::nullopt, S::password, "AUTHENTICATE failed", "auth.bad_credentials"},
    {P::smtp, S::oauth2, "5.7.8", "auth.token_rejected"},
    {P::smtp, S::password, "5.7.8", "auth.bad_credentials"},
    {P::smtp, S::oauth2, "5.7.3", "auth.token_rejected"},
    {P::smtp, S::password, "5.7.3", "auth.bad_credentials"},
    {std::nullopt, S::password, "unknown user name or bad password", "auth.bad_credentials"},
    {std::nullopt, S::password, "Invalid credentials", "auth.bad_credentials"},
    {std::nullopt, S::oauth2, "Invalid credentials", "auth.token_rejected"},
};

bool icontains(std::string_view hay, std::string_view needle) {
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != hay.end();
}

}  // namespace

std::span<const Matcher> matchers() {
  return kMatchers;
}

std::optional<std::string> match_failure(const ServerEvidence& e) {
  for (const Matcher& m : kMatchers) {
    if (m.protocol && *m.protocol != e.protocol) continue;
    if (m.sign_in && *m.sign_in != e.sign_in) continue;
    if (icontains(e.response, m.needle)) return std::string(m.code);
  }
  // A SASL challenge means the server rejected a bearer token, whatever the final line said.
  if (!e.challenge.empty() && e.sign_in == SignIn::oauth2) return std::string("auth.token_rejected");
  return std::nullopt;
}

}  // namespace md::diagnostics
