#include "diagnostics/matchers.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace md::diagnostics {
namespace {

using P = MailProtocol;
using S = SignIn;

// Stands for "the credentials were refused": a token for OAuth accounts, a password otherwise
// (credentials_code decides).
constexpr std::string_view kCredentials = "(credentials)";

// Providers' words for causes the protocol codes cannot tell apart, most specific first. Only what
// a code overloads belongs here: everything else is decided by the structure (decide_* below).
constexpr Matcher kSpecific[] = {
    // Microsoft 365: BAD to every command after a sign-in that "succeeded".
    {std::nullopt, std::nullopt, "User is authenticated but not connected", "auth.not_connected"},
    // Microsoft's 5.7.139 carries three causes: the tenant switch, basic auth off, a wrong password.
    {P::smtp, std::nullopt, "SmtpClientAuthentication is disabled", "auth.smtp_auth_disabled"},
    {std::nullopt, std::nullopt, "basic authentication is disabled", "auth.basic_auth_disabled"},
    {std::nullopt, std::nullopt, "credentials were incorrect", kCredentials},
    // Gmail's [ALERT] texts and 5.7.9 / 5.7.14 replies.
    {std::nullopt, std::nullopt, "Application-specific password required", "auth.app_password_required"},
    {std::nullopt, std::nullopt, "InvalidSecondFactor", "auth.app_password_required"},
    {std::nullopt, std::nullopt, "Please log in via your web browser", "auth.web_login_required"},
    {std::nullopt, std::nullopt, "log in with your web browser", "auth.web_login_required"},
    {std::nullopt, std::nullopt, "WebLoginRequired", "auth.web_login_required"},
    {std::nullopt, std::nullopt, "Web login required", "auth.web_login_required"},
    {std::nullopt, std::nullopt, "not enabled for IMAP use", "auth.imap_disabled"},
    {std::nullopt, std::nullopt, "IMAP access is disabled", "auth.imap_disabled"},
    {std::nullopt, std::nullopt, "not enabled for POP", "auth.imap_disabled"},
    // Yahoo's code for its app-password requirement (its maintainers' reading of #AUTH005).
    {P::smtp, std::nullopt, "#AUTH005", "auth.app_password_required"},
    // Dovecot: a password offered before STARTTLS.
    {std::nullopt, std::nullopt, "Plaintext authentication", "tls.starttls_unavailable"},
    // Limits that servers report under other codes (Gmail's [OVERQUOTA], Dovecot's [UNAVAILABLE]).
    {std::nullopt, std::nullopt, "Too many simultaneous connections", "imap.throttled"},
    {std::nullopt, std::nullopt, "Maximum number of connections", "imap.throttled"},
    {std::nullopt, std::nullopt, "exceeded command or bandwidth limits", "imap.throttled"},
    {P::imap, std::nullopt, "storage limit", "imap.over_quota"},
    {P::imap, std::nullopt, "Mailbox doesn't exist", "imap.mailbox_missing"},
    {P::imap, std::nullopt, "Unknown Mailbox", "imap.mailbox_missing"},
    // Exchange Online's 5.2.0 / 5.2.252 carry the cause in a name.
    {P::smtp, std::nullopt, "SendAsDenied", "smtp.send_as_denied"},
    {P::smtp, std::nullopt, "not allowed to send as", "smtp.send_as_denied"},
    {P::smtp, std::nullopt, "SubmissionQuotaExceeded", "smtp.quota_exceeded"},
    {P::smtp, std::nullopt, "sending quota exceeded", "smtp.quota_exceeded"},
    {P::smtp, std::nullopt, "sending limit exceeded", "smtp.quota_exceeded"},
    {P::smtp, std::nullopt, "OutboundSpam", "smtp.spam_blocked"},
    {P::smtp, std::nullopt, "spam", "smtp.spam_blocked"},
    {P::smtp, std::nullopt, "unsolicited", "smtp.spam_blocked"},
    {P::smtp, std::nullopt, "Relay access denied", "smtp.relay_denied"},
    {P::smtp, std::nullopt, "Relaying denied", "smtp.relay_denied"},
    // A POP3 server without SASL answering AUTH.
    {P::pop3, std::nullopt, "Invalid command in current state", "auth.mechanism_unavailable"},
};

// Words of a refused sign-in from servers that give no code at all (Exchange, Fastmail, Zoho).
constexpr std::string_view kCredentialWords[] = {
    "unknown user name or bad password",
    "Invalid credentials",
    "Username and Password not accepted",
    "AUTHENTICATE failed",
    "LOGIN failed",
    "Incorrect username or password",
    "Invalid login or password",
    "Authentication failed",
    "Authentication unsuccessful",
};

bool icontains(std::string_view hay, std::string_view needle) {
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != hay.end();
}

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) out.push_back(line);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
  }
  return out;
}

// A refused sign-in: the token for OAuth accounts; for a password, Microsoft 365's IMAP and POP3
// take none at all any more (basic authentication is off), so that is the cause there.
std::string credentials_code(const ServerEvidence& e) {
  if (e.sign_in == S::oauth2) return "auth.token_rejected";
  if (e.provider == "microsoft" && e.protocol != P::smtp) return "auth.basic_auth_disabled";
  return "auth.bad_credentials";
}

std::optional<std::string> decide_imap(const ServerEvidence& e) {
  auto code = imap_response_code(e.response);
  if (!code) return std::nullopt;
  const bool signing_in = e.stage == MailStage::greeting || e.stage == MailStage::auth;
  if (*code == "AUTHENTICATIONFAILED" || *code == "AUTHORIZATIONFAILED") return credentials_code(e);
  // RFC 5530: a temporary failure of the server. At sign-in: its authentication backend; while
  // the mailbox is read: the server shedding load.
  if (*code == "UNAVAILABLE" || *code == "TEMPFAIL") return signing_in ? "auth.temporary_failure" : "imap.throttled";
  if (*code == "LIMIT" || *code == "THROTTLED") return "imap.throttled";
  if (*code == "INUSE") return signing_in ? "auth.in_use" : "imap.throttled";
  if (*code == "OVERQUOTA") return "imap.over_quota";
  if (*code == "SERVERBUG") return "imap.server_bug";
  if (*code == "NONEXISTENT") return "imap.mailbox_missing";
  if (*code == "EXPIRED") return "auth.password_expired";
  if (*code == "PRIVACYREQUIRED") return "tls.starttls_unavailable";
  if (code->starts_with("WEBALERT")) return "auth.web_login_required";
  return std::nullopt;
}

std::optional<std::string> decide_pop3(const ServerEvidence& e) {
  auto code = pop3_response_code(e.response);
  if (!code) return std::nullopt;
  if (*code == "AUTH") return credentials_code(e);
  if (*code == "SYS/TEMP") return "auth.temporary_failure";
  if (*code == "IN-USE") return "auth.in_use";
  if (*code == "LOGIN-DELAY") return "imap.throttled";
  return std::nullopt;  // SYS/PERM and others: the server's words are the evidence
}

// The reply code of the last line ("535" of "535 5.7.8 ..."), when it has one.
std::optional<int> smtp_reply_code(std::string_view response) {
  auto lines = lines_of(response);
  if (lines.empty()) return std::nullopt;
  std::string_view last = lines.back();
  if (last.size() < 3 || !std::all_of(last.begin(), last.begin() + 3, [](unsigned char c) { return std::isdigit(c); }))
    return std::nullopt;
  if (last.size() > 3 && last[3] != ' ' && last[3] != '-') return std::nullopt;
  return (last[0] - '0') * 100 + (last[1] - '0') * 10 + (last[2] - '0');
}

// Transient replies first: a 4xx is "try later", never a wrong setting.
std::optional<std::string> decide_smtp_transient(const ServerEvidence& e) {
  auto reply = smtp_reply_code(e.response);
  auto esc = enhanced_status_code(e.response);
  if (reply == 421) return "smtp.throttled";
  const bool transient = (reply && *reply / 100 == 4) || (!reply && esc && esc->starts_with("4."));
  if (!transient) return std::nullopt;
  return e.stage == MailStage::auth ? "auth.temporary_failure" : "smtp.throttled";
}

std::optional<std::string> decide_smtp(const ServerEvidence& e) {
  auto reply = smtp_reply_code(e.response);
  auto esc = enhanced_status_code(e.response).value_or("");
  if (e.stage == MailStage::auth) {
    if (reply == 535 || esc == "5.7.8" || esc == "5.7.3" || esc == "5.7.0" || esc == "5.7.1" || esc == "5.7.139")
      return credentials_code(e);
    if (reply == 534 || esc == "5.7.9") return "auth.app_password_required";
    if (reply == 504 || esc == "5.5.4" || esc == "5.7.4") return "auth.mechanism_unavailable";
    return std::nullopt;
  }
  if (esc == "5.4.5") return "smtp.quota_exceeded";
  if (esc == "5.7.60" || esc == "5.2.252") return "smtp.send_as_denied";
  // 530 / 5.7.57 / 5.5.1 "authentication required": the session is not signed in.
  if (reply == 530 || esc == "5.7.57" || esc == "5.5.1") return "smtp.relay_denied";
  // Policy refusals of the message itself: spam filters, SPF/DKIM/DMARC (5.7.1, 5.7.26, 5.7.5xx).
  if (esc == "5.7.1" || esc == "5.7.26" || esc.starts_with("5.7.5") || esc.starts_with("5.7.7"))
    return "smtp.spam_blocked";
  return std::nullopt;
}

}  // namespace

std::span<const Matcher> matchers() {
  return kSpecific;
}

ServerEvidence server_evidence(const accounts::Account& account, MailProtocol protocol, MailStage stage,
                               std::string response) {
  ServerEvidence ev;
  ev.protocol = protocol;
  ev.sign_in = account.auth == accounts::AuthMethod::oauth2 ? SignIn::oauth2 : SignIn::password;
  ev.stage = stage;
  ev.provider = accounts::to_string(account.provider);
  ev.response = std::move(response);
  return ev;
}

std::optional<std::string> enhanced_status_code(std::string_view reply) {
  for (std::string_view line : lines_of(reply)) {
    // "535 5.7.8 ..." / "535-5.7.8 ..." / "5.7.9 ..." (the reply code stripped by a library)
    std::string_view rest = line;
    if (rest.size() >= 4 && std::isdigit(static_cast<unsigned char>(rest[0])) && (rest[3] == ' ' || rest[3] == '-') &&
        std::isdigit(static_cast<unsigned char>(rest[1])) && std::isdigit(static_cast<unsigned char>(rest[2])))
      rest.remove_prefix(4);
    // class.subject.detail: [245].[0-9]{1,3}.[0-9]{1,3}
    if (rest.size() < 5 || (rest[0] != '2' && rest[0] != '4' && rest[0] != '5') || rest[1] != '.') continue;
    size_t i = 2, dots = 1, digits = 0;
    for (; i < rest.size(); ++i) {
      if (std::isdigit(static_cast<unsigned char>(rest[i]))) {
        if (++digits > 3) break;
      } else if (rest[i] == '.' && digits > 0 && dots == 1) {
        ++dots;
        digits = 0;
      } else {
        break;
      }
    }
    if (dots == 2 && digits > 0 && (i == rest.size() || rest[i] == ' ')) return std::string(rest.substr(0, i));
  }
  return std::nullopt;
}

std::optional<std::string> imap_response_code(std::string_view response) {
  std::optional<std::string> found;
  for (std::string_view line : lines_of(response)) {
    // "<tag or *> <NO|BAD|BYE|OK> [CODE ...] text"
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos) continue;
    std::string_view rest = line.substr(sp + 1);
    size_t sp2 = rest.find(' ');
    if (sp2 == std::string_view::npos) continue;
    const std::string status = upper(rest.substr(0, sp2));
    if (status != "NO" && status != "BAD" && status != "BYE" && status != "OK") continue;
    rest.remove_prefix(sp2 + 1);
    if (rest.empty() || rest.front() != '[') continue;
    size_t end = rest.find_first_of(" ]");
    if (end == std::string_view::npos || end < 2) continue;
    std::string code = upper(rest.substr(1, end - 1));
    // ALERT says "read the text", not a cause: a later code on another line is the better one.
    if (code == "ALERT" && found) continue;
    found = code;
  }
  return found;
}

std::optional<std::string> pop3_response_code(std::string_view response) {
  for (std::string_view line : lines_of(response)) {
    if (!line.starts_with("-ERR [")) continue;
    size_t end = line.find(']');
    if (end == std::string_view::npos || end <= 6) continue;
    return upper(line.substr(6, end - 6));
  }
  return std::nullopt;
}

std::optional<std::string> match_failure(const ServerEvidence& e) {
  auto fits = [&](const Matcher& m) {
    return (!m.protocol || *m.protocol == e.protocol) && (!m.sign_in || *m.sign_in == e.sign_in) &&
           icontains(e.response, m.needle);
  };
  if (e.protocol == P::smtp)
    if (auto transient = decide_smtp_transient(e)) return transient;
  for (const Matcher& m : kSpecific)
    if (fits(m)) return m.code == kCredentials ? credentials_code(e) : std::string(m.code);
  auto structured = e.protocol == P::imap ? decide_imap(e) : e.protocol == P::pop3 ? decide_pop3(e) : decide_smtp(e);
  if (structured) return structured;
  if (e.stage == MailStage::auth || e.stage == MailStage::greeting)
    for (std::string_view words : kCredentialWords)
      if (icontains(e.response, words)) return credentials_code(e);
  // A SASL challenge means the server rejected a bearer token, whatever the final line said.
  if (!e.challenge.empty() && e.sign_in == SignIn::oauth2) return std::string("auth.token_rejected");
  return std::nullopt;
}

}  // namespace md::diagnostics
