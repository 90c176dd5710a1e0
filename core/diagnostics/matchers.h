// Server words → failure codes, decided first by the structure the protocols give and only then by
// a provider's own words where the structure cannot tell causes apart:
//   IMAP  the response code in brackets (RFC 5530: AUTHENTICATIONFAILED, UNAVAILABLE, LIMIT,
//         SERVERBUG, OVERQUOTA, …) of the tagged or untagged NO/BAD;
//   POP3  the extended response code after -ERR (RFC 2449 / 3206: [AUTH], [SYS/TEMP], [SYS/PERM],
//         [IN-USE], [LOGIN-DELAY]);
//   SMTP  the reply code and the enhanced status code (RFC 3463 / 5248): 4.x.x is transient, never
//         "check the addresses"; 5.7.x is security or policy; 421 is the server throttling.
// Phrases come first only where a provider overloads one code with several causes (Microsoft's
// 5.7.139, Gmail's [ALERT] texts). The tables live in matchers.cpp.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "accounts/account.h"

namespace md::diagnostics {

enum class MailProtocol { imap, pop3, smtp };
enum class SignIn { oauth2, password };
// Where in the conversation the refusal came: the same code means different things at the
// greeting, at sign-in, when the mailbox is opened or read, and when a message is sent.
enum class MailStage { greeting, capabilities, auth, mailbox, send };

// What a server said when it refused something.
struct ServerEvidence {
  MailProtocol protocol = MailProtocol::imap;
  SignIn sign_in = SignIn::oauth2;
  MailStage stage = MailStage::auth;
  // "gmail", "microsoft" or "custom": Microsoft 365 no longer takes passwords over IMAP and POP3,
  // so a refused password there has one cause whatever the words.
  std::string provider = "custom";
  std::string response;   // the whole final line(s), e.g. "A2 NO [AUTHENTICATIONFAILED] Invalid credentials"
  std::string challenge;  // a decoded SASL error challenge (JSON text), when there was one
};

// A provider's words that name a cause the protocol's codes do not.
struct Matcher {
  std::optional<MailProtocol> protocol;  // nullopt: any
  std::optional<SignIn> sign_in;         // nullopt: any
  std::string_view needle;               // matched case-insensitively against the response
  std::string_view code;
};

std::span<const Matcher> matchers();

// The evidence of a refusal on the account's connection: its sign-in method and provider filled in.
ServerEvidence server_evidence(const accounts::Account& account, MailProtocol protocol, MailStage stage,
                               std::string response);

// The code the evidence points at, or nullopt when nothing specific does (the caller then uses
// the step's generic code, e.g. auth.token_rejected for a refused token).
std::optional<std::string> match_failure(const ServerEvidence& evidence);

// "5.7.139" from "535 5.7.139 Authentication unsuccessful" (or from a line without the reply code,
// as some libraries print it); nullopt when the text carries none.
std::optional<std::string> enhanced_status_code(std::string_view reply);
// The response code in brackets after NO/BAD/BYE/OK ("AUTHENTICATIONFAILED", "WEBALERT"), upper
// case, from the last line that has one; nullopt when none has.
std::optional<std::string> imap_response_code(std::string_view response);
// The extended response code after -ERR ("AUTH", "SYS/TEMP", "IN-USE"), upper case.
std::optional<std::string> pop3_response_code(std::string_view response);

}  // namespace md::diagnostics
