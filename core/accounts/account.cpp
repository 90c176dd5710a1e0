#include "accounts/account.h"

#include <algorithm>
#include <charconv>

#include "util/encoding.h"
#include "util/text.h"

namespace md::accounts {
namespace {

// Endpoints are https; plain http only on this machine (test servers, RFC 8252 loopback).
Result<void> check_url(std::string_view url, std::string_view what, bool required) {
  if (url.empty()) {
    if (required) return fail("accounts.invalid", std::string(what) + " is required");
    return {};
  }
  if (!url.starts_with("https://") && !is_loopback_url(url))
    return fail("accounts.invalid", std::string(what) + " must be an https:// address (got " + std::string(url) + ")");
  return {};
}

}  // namespace

const char* to_string(Provider p) {
  switch (p) {
    case Provider::gmail: return "gmail";
    case Provider::microsoft: return "microsoft";
    case Provider::custom: return "custom";
  }
  return "custom";
}

const char* to_string(AuthMethod a) {
  return a == AuthMethod::oauth2 ? "oauth2" : "password";
}

const char* to_string(Security s) {
  switch (s) {
    case Security::tls: return "tls";
    case Security::starttls: return "starttls";
    case Security::none: return "none";
  }
  return "tls";
}

const char* to_string(Protocol p) {
  switch (p) {
    case Protocol::imap: return "imap";
    case Protocol::pop3: return "pop3";
    case Protocol::smtp: return "smtp";
  }
  return "imap";
}

std::optional<Provider> parse_provider(std::string_view s) {
  if (s == "gmail" || s == "google") return Provider::gmail;
  if (s == "microsoft" || s == "outlook" || s == "office365") return Provider::microsoft;
  if (s == "custom" || s == "other") return Provider::custom;
  return std::nullopt;
}

std::optional<AuthMethod> parse_auth_method(std::string_view s) {
  if (s == "oauth2" || s == "oauth") return AuthMethod::oauth2;
  if (s == "password") return AuthMethod::password;
  return std::nullopt;
}

std::optional<Security> parse_security(std::string_view s) {
  if (s == "tls" || s == "ssl") return Security::tls;
  if (s == "starttls") return Security::starttls;
  if (s == "none" || s == "plain") return Security::none;
  return std::nullopt;
}

const ServerEndpoint& Account::endpoint(Protocol p) const {
  switch (p) {
    case Protocol::imap: return imap;
    case Protocol::pop3: return pop3;
    case Protocol::smtp: return smtp;
  }
  return imap;
}

Result<std::pair<std::string, int>> parse_host_port(std::string_view text, std::string_view flag) {
  auto bad = [&](std::string why) {
    return fail("accounts.invalid",
                std::string(flag) + " '" + std::string(text) + "': " + why + " (expected HOST:PORT)");
  };
  std::string_view host, port;
  if (text.starts_with("[")) {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return bad("unterminated IPv6 address");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad("no port");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return bad("put an IPv6 address in brackets");
  }
  if (host.empty()) return bad("no host");
  if (std::any_of(host.begin(), host.end(), [](char c) { return c == ' ' || c == '/' || c == '@'; }))
    return bad("not a host name");
  int value = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || ptr != port.data() + port.size() || value < 1 || value > 65535)
    return bad("the port must be a number from 1 to 65535");
  return std::make_pair(std::string(host), value);
}

bool is_loopback_url(std::string_view url) {
  return url.starts_with("http://127.0.0.1") || url.starts_with("http://localhost") || url.starts_with("http://[::1]");
}

bool valid_account_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '-' || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == '@';
  });
}

bool valid_email(std::string_view email) {
  size_t at = email.find('@');
  return at != std::string_view::npos && at != 0 && at + 1 < email.size() &&
         email.find('@', at + 1) == std::string_view::npos &&
         email.find_first_of(" \t\r\n<>") == std::string_view::npos;
}

Security default_security(int port) {
  switch (port) {
    case 143:
    case 110:
    case 587:
    case 25: return Security::starttls;
    default: return Security::tls;
  }
}

Result<void> validate(const Account& a) {
  // Settings are stored as JSON, which holds text only: bytes that are not UTF-8 (a mistyped
  // argument, a wrong locale) are refused here rather than failing later on save.
  for (const std::string* text :
       {&a.name, &a.email, &a.username, &a.imap.host, &a.pop3.host, &a.smtp.host, &a.oauth.issuer,
        &a.oauth.authorize_url, &a.oauth.token_url, &a.oauth.device_url, &a.oauth.revoke_url, &a.oauth.userinfo_url,
        &a.oauth.client_id, &a.oauth.mail_scope, &a.oauth.tenant}) {
    if (!util::valid_utf8(*text))
      return fail("accounts.invalid", "a setting contains bytes that are not UTF-8 text: type it again");
  }
  for (const std::string& scope : a.oauth.scopes)
    if (!util::valid_utf8(scope)) return fail("accounts.invalid", "a --scope contains bytes that are not UTF-8 text");
  for (const auto& [k, v] : a.oauth.extra_authorize_params)
    if (!util::valid_utf8(k) || !util::valid_utf8(v))
      return fail("accounts.invalid", "an authorization parameter contains bytes that are not UTF-8 text");
  if (a.ca_file && !util::valid_utf8(*a.ca_file))
    return fail("accounts.invalid", "--ca-file is not a UTF-8 path: move the file to a plain path");
  if (!valid_account_name(a.name))
    return fail("accounts.invalid",
                "the account name '" + a.name +
                    "' must be 1-64 letters, digits, '.', '_', '-' or '@', not starting with '-' or '.'");
  if (!valid_email(a.email)) return fail("accounts.invalid", "--email '" + a.email + "' is not an email address");
  if (!a.imap.enabled && !a.pop3.enabled && !a.smtp.enabled)
    return fail("accounts.invalid", "no server: give at least one of --imap, --pop3, --smtp");
  for (Protocol p : {Protocol::imap, Protocol::pop3, Protocol::smtp}) {
    const ServerEndpoint& e = a.endpoint(p);
    if (!e.enabled) continue;
    if (e.host.empty() || e.port < 1 || e.port > 65535)
      return fail("accounts.invalid", std::string("--") + to_string(p) + " needs HOST:PORT");
  }
  if (a.timeout_s < 1 || a.timeout_s > 600)
    return fail("accounts.invalid", "--timeout must be between 1 and 600 seconds");
  if (a.auth == AuthMethod::oauth2) {
    // No client id is fine here: it is asked for at sign-in (oauth.no_client).
    if (auto r = check_url(a.oauth.authorize_url, "--authorize-url", true); !r) return r;
    if (auto r = check_url(a.oauth.token_url, "--token-url", true); !r) return r;
    if (auto r = check_url(a.oauth.device_url, "--device-url", false); !r) return r;
    if (auto r = check_url(a.oauth.revoke_url, "--revoke-url", false); !r) return r;
    if (auto r = check_url(a.oauth.userinfo_url, "the userinfo endpoint", false); !r) return r;
    if (a.oauth.scopes.empty()) return fail("accounts.invalid", "OAuth needs at least one --scope");
  }
  return {};
}

Result<std::string> infer_mail_scope(const std::vector<std::string>& scopes) {
  static constexpr std::string_view kIdentityScopes[] = {"openid",         "email",   "profile",
                                                         "offline_access", "address", "phone"};
  std::vector<std::string> candidates;
  for (const std::string& s : scopes)
    if (std::find(std::begin(kIdentityScopes), std::end(kIdentityScopes), s) == std::end(kIdentityScopes) &&
        std::find(candidates.begin(), candidates.end(), s) == candidates.end())
      candidates.push_back(s);
  if (candidates.size() == 1) return candidates.front();
  if (candidates.empty())
    return fail("accounts.invalid",
                "none of the scopes is a mail permission (openid, email, profile and offline_access are about "
                "the sign-in only): add the mail server's scope, e.g. --scope https://mail.example.com/imap");
  const std::string list = util::join(candidates, ", ");
  return fail("accounts.invalid", "several scopes could be the mail permission (" + list +
                                      "): name the one the mail server checks with --mail-scope");
}

}  // namespace md::accounts
