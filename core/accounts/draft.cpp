#include "accounts/draft.h"

#include <algorithm>
#include <charconv>
#include <tuple>

#include "accounts/presets.h"
#include "oauth/token_endpoint.h"
#include "util/text.h"

namespace md::accounts {
namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

std::string endpoint_text(const ServerEndpoint& e) {
  if (!e.enabled) return {};
  const bool v6 = e.host.find(':') != std::string::npos;
  return (v6 ? "[" + e.host + "]" : e.host) + ":" + std::to_string(e.port);
}

// Typed scopes: spaces as OAuth writes them, commas as people do.
std::vector<std::string> split_scopes(std::string_view text) {
  std::string spaced(text);
  std::replace_if(
      spaced.begin(), spaced.end(), [](char c) { return c == ',' || c == '\t'; }, ' ');
  return oauth::split_scopes(spaced);
}

std::optional<int> parse_timeout(std::string_view text) {
  text = trimmed(text);
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || value < 1 || value > 600)
    return std::nullopt;
  return value;
}

const char* server_label(DraftField f) {
  return f == DraftField::imap ? "IMAP" : f == DraftField::pop3 ? "POP3" : "SMTP";
}

}  // namespace

AccountDraft new_draft(Provider provider) {
  Account preset;
  preset.provider = provider;
  apply_preset(preset);
  AccountDraft d;
  d.provider = provider;
  // Gmail and Microsoft 365 want OAuth for IMAP/POP3/SMTP; elsewhere a password is the usual way.
  d.auth = provider == Provider::custom ? AuthMethod::password : AuthMethod::oauth2;
  d.imap = endpoint_text(preset.imap);
  d.pop3 = endpoint_text(preset.pop3);
  d.smtp = endpoint_text(preset.smtp);
  d.imap_security = preset.imap.enabled ? preset.imap.security : Security::tls;
  d.pop3_security = preset.pop3.enabled ? preset.pop3.security : Security::tls;
  d.smtp_security = preset.smtp.enabled ? preset.smtp.security : Security::starttls;
  return d;
}

std::vector<DraftProblem> check_draft(const AccountDraft& d, const std::vector<std::string>& taken) {
  std::vector<DraftProblem> out;
  const std::string_view name = trimmed(d.name), email = trimmed(d.email);
  if (name.empty())
    out.push_back({DraftField::name, "Give the account a short name, e.g. front-desk."});
  else if (!valid_account_name(name))
    out.push_back({DraftField::name, "Use up to 64 letters, digits, '.', '_', '-' or '@' (not first: '-' or '.')."});
  else if (std::find(taken.begin(), taken.end(), name) != taken.end())
    out.push_back(
        {DraftField::name, "An account called '" + std::string(name) + "' exists already: pick another name."});

  if (email.empty())
    out.push_back({DraftField::email, "Enter the mailbox's address."});
  else if (!valid_email(email))
    out.push_back({DraftField::email, "'" + std::string(email) + "' is not an email address (name@example.com)."});

  if (d.auth == AuthMethod::password && d.password.empty() && !d.editing)
    out.push_back({DraftField::password, d.provider == Provider::custom
                                             ? "Enter the mailbox's password."
                                             : "Enter an app password (the account's normal password is refused "
                                               "over IMAP, POP3 and SMTP)."});

  bool any_server = false;
  for (auto [field, text] : {std::pair{DraftField::imap, &d.imap}, std::pair{DraftField::pop3, &d.pop3},
                             std::pair{DraftField::smtp, &d.smtp}}) {
    const std::string_view t = trimmed(*text);
    if (t.empty()) continue;
    any_server = true;
    if (!parse_host_port(t, server_label(field)))
      out.push_back({field, std::string("Write the ") + server_label(field) +
                                " server as host:port, e.g. mail.example.com:" +
                                (field == DraftField::imap   ? "993"
                                 : field == DraftField::pop3 ? "995"
                                                             : "587") +
                                "."});
  }
  if (!any_server) out.push_back({DraftField::imap, "Enter at least one server: IMAP, POP3 or SMTP."});

  if (d.auth == AuthMethod::oauth2) {
    if (trimmed(d.client_id).empty())
      out.push_back(
          {DraftField::client_id,
           "Paste the client ID of the OAuth app you registered (user guide: \"Register an OAuth client\")."});
    if (d.provider == Provider::custom) {
      const std::string_view issuer = trimmed(d.issuer);
      if (issuer.empty())
        out.push_back({DraftField::issuer, "Enter the sign-in server's issuer address (https://...)."});
      else if (!issuer.starts_with("https://") && !is_loopback_url(issuer))
        out.push_back({DraftField::issuer, "The issuer address starts with https:// (http:// only on this computer)."});
      if (split_scopes(d.scopes).empty())
        out.push_back({DraftField::scopes,
                       "Enter the scopes to ask for: the mail server's scope, then e.g. "
                       "openid email offline_access."});
      else if (auto mail = infer_mail_scope(split_scopes(d.scopes)); !mail)
        out.push_back({DraftField::scopes, mail.failure().detail});
    }
  }
  if (!parse_timeout(d.timeout)) out.push_back({DraftField::timeout, "A whole number of seconds from 1 to 600."});
  return out;
}

const DraftProblem* problem_of(const std::vector<DraftProblem>& problems, DraftField field) {
  for (const DraftProblem& p : problems)
    if (p.field == field) return &p;
  return nullptr;
}

Result<Account> build_account(const AccountDraft& d) {
  if (auto problems = check_draft(d, {}); !problems.empty()) return fail("accounts.invalid", problems.front().message);
  Account a;
  a.provider = d.provider;
  a.auth = d.auth;
  a.name = trimmed(d.name);
  a.email = trimmed(d.email);
  a.username = trimmed(d.username);
  apply_preset(a, trimmed(d.tenant));
  for (auto [endpoint, text, security] :
       {std::tuple{&a.imap, &d.imap, d.imap_security}, std::tuple{&a.pop3, &d.pop3, d.pop3_security},
        std::tuple{&a.smtp, &d.smtp, d.smtp_security}}) {
    const std::string_view t = trimmed(*text);
    *endpoint = {};
    if (t.empty()) continue;
    auto hp = parse_host_port(t, "server");
    endpoint->enabled = true;
    endpoint->host = hp.value().first;
    endpoint->port = hp.value().second;
    endpoint->security = security;
  }
  if (a.auth == AuthMethod::oauth2) {
    a.oauth.client_id = trimmed(d.client_id);
    if (a.provider == Provider::custom) {
      a.oauth.issuer = trimmed(d.issuer);
      a.oauth.scopes = split_scopes(d.scopes);
      a.oauth.mail_scope = infer_mail_scope(a.oauth.scopes).value();  // check_draft made sure there is one
    }
  } else {
    a.oauth = {};
  }
  if (!trimmed(d.ca_file).empty()) a.ca_file = std::string(trimmed(d.ca_file));
  a.timeout_s = *parse_timeout(d.timeout);
  if (needs_discovery(a)) return a;  // validated once discovery has filled the endpoints
  if (auto r = validate(a); !r) return r.failure();
  return a;
}

AccountDraft draft_from_account(const Account& a) {
  AccountDraft d;
  d.editing = true;
  d.provider = a.provider;
  d.auth = a.auth;
  d.name = a.name;
  d.email = a.email;
  d.username = a.username;
  d.imap = endpoint_text(a.imap);
  d.pop3 = endpoint_text(a.pop3);
  d.smtp = endpoint_text(a.smtp);
  d.imap_security = a.imap.security;
  d.pop3_security = a.pop3.security;
  d.smtp_security = a.smtp.security;
  d.tenant = a.oauth.tenant;
  d.client_id = a.oauth.client_id;
  d.issuer = a.oauth.issuer;
  d.scopes = util::join(a.oauth.scopes);
  d.ca_file = a.ca_file.value_or("");
  d.timeout = std::to_string(a.timeout_s);
  return d;
}

Result<Account> apply_draft(const Account& before, const AccountDraft& d) {
  AccountDraft typed = d;
  typed.provider = before.provider;  // another provider is another account
  typed.name = before.name;
  auto built = build_account(typed);
  if (!built) return built.failure();
  Account a = std::move(built).value();
  a.verify_tls = before.verify_tls;
  a.created_at = before.created_at;
  // What discovery found stays while the issuer is the same; a new issuer is discovered again.
  if (a.auth == AuthMethod::oauth2 && before.auth == AuthMethod::oauth2 && a.provider == Provider::custom &&
      a.oauth.issuer == before.oauth.issuer) {
    const OAuthSettings& o = before.oauth;
    a.oauth.authorize_url = o.authorize_url;
    a.oauth.token_url = o.token_url;
    a.oauth.device_url = o.device_url;
    a.oauth.revoke_url = o.revoke_url;
    a.oauth.userinfo_url = o.userinfo_url;
    a.oauth.extra_authorize_params = o.extra_authorize_params;
  }
  if (needs_discovery(a)) return a;
  if (auto r = validate(a); !r) return r.failure();
  return a;
}

bool needs_discovery(const Account& a) {
  return a.auth == AuthMethod::oauth2 && !a.oauth.issuer.empty() &&
         (a.oauth.authorize_url.empty() || a.oauth.token_url.empty());
}

std::string sign_in_key(const AccountDraft& d) {
  std::string key = to_string(d.provider);
  for (std::string_view part : {trimmed(d.email), trimmed(d.client_id), trimmed(d.tenant), trimmed(d.issuer),
                                trimmed(d.scopes), trimmed(d.ca_file)}) {
    key += '\n';
    key += part;
  }
  return key;
}

std::string suggest_name(std::string_view email, const std::vector<std::string>& taken) {
  std::string base;
  for (char c : trimmed(email).substr(0, trimmed(email).find('@'))) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
        ((c == '.' || c == '-') && !base.empty()))
      base += c;
    if (base.size() == 56) break;
  }
  if (base.empty()) base = "account";
  std::string name = base;
  for (int n = 2; std::find(taken.begin(), taken.end(), name) != taken.end(); ++n)
    name = base + "-" + std::to_string(n);
  return name;
}

}  // namespace md::accounts
