// Server words → failure codes. The evidence a mail server gives after a refused command (response
// code, enhanced status code, text, the decoded SASL challenge) is matched against a table, first
// match wins; the table lives in matchers.cpp next to the catalogue's rows it points at.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace md::diagnostics {

enum class MailProtocol { imap, pop3, smtp };
enum class SignIn { oauth2, password };

// What a server said when it refused something.
struct ServerEvidence {
  MailProtocol protocol = MailProtocol::imap;
  SignIn sign_in = SignIn::oauth2;
  std::string response;   // the whole final line(s), e.g. "A2 NO [AUTHENTICATIONFAILED] Invalid credentials"
  std::string challenge;  // a decoded SASL error challenge (JSON text), when there was one
};

struct Matcher {
  std::optional<MailProtocol> protocol;  // nullopt: any
  std::optional<SignIn> sign_in;         // nullopt: any
  std::string_view needle;               // matched case-insensitively against the response
  std::string_view code;
};

std::span<const Matcher> matchers();

// The first matching row's code, or nullopt when nothing specific matches (the caller then uses
// the step's generic code, e.g. auth.token_rejected for a refused token).
std::optional<std::string> match_failure(const ServerEvidence& evidence);

}  // namespace md::diagnostics
