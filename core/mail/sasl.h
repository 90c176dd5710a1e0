// SASL as the mail protocols use it: the client messages of XOAUTH2 (Google's, also Microsoft's),
// OAUTHBEARER (RFC 7628), PLAIN (RFC 4616) and LOGIN, and the error challenge a server sends
// when it refuses a bearer token (base64 JSON such as {"status":"401","schemes":"bearer",...}).
// The messages are raw bytes; the protocol clients base64 them and never log them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "result.h"

namespace md::mail::sasl {

enum class Mechanism { xoauth2, oauthbearer, plain, login };

// "XOAUTH2", "OAUTHBEARER", "PLAIN", "LOGIN".
std::string_view name(Mechanism m);
// Case-insensitive; nullopt for mechanisms MailDoctor does not speak.
std::optional<Mechanism> parse_mechanism(std::string_view text);
bool is_bearer(Mechanism m);

// What the client signs in with. `secret` is the access token for the bearer mechanisms and the
// password otherwise; host/port are only used by OAUTHBEARER.
struct Credentials {
  std::string user;
  std::string secret;
  std::string host;
  uint16_t port = 0;
};

// "user=U\x01auth=Bearer T\x01\x01". Failure auth.bad_credentials when a field holds a control
// character that would change the message's structure.
Result<std::string> xoauth2(std::string_view user, std::string_view token);
// "n,a=U,\x01host=H\x01port=P\x01auth=Bearer T\x01\x01" (',' and '=' in U escaped as =2C / =3D).
Result<std::string> oauthbearer(std::string_view user, std::string_view token, std::string_view host, uint16_t port);
// "\0U\0P" (no authorization identity).
Result<std::string> plain(std::string_view user, std::string_view password);
// The initial client message for a mechanism (LOGIN has none: it answers two prompts).
Result<std::string> initial_response(Mechanism m, const Credentials& credentials);

// The client's answer to an error challenge, before the server's final refusal: an empty
// response for XOAUTH2, a lone %x01 for OAUTHBEARER (RFC 7628 3.2.3). Raw bytes.
std::string error_challenge_answer(Mechanism m);

// A bearer-token error challenge, decoded.
struct Challenge {
  std::string status;                // "401", "400", "invalid_token"
  std::string schemes;               // "bearer"
  std::string scope;                 // "https://mail.google.com/", "mail"
  std::string openid_configuration;  // RFC 7628's "openid-configuration", when given
  std::string raw;                   // the decoded JSON text, as sent
};
// Strict: the text must be base64 of a JSON object; known members must be strings (a numeric
// status is accepted and written as digits). Failure protocol.bad_response, never a crash.
Result<Challenge> decode_challenge(std::string_view base64_text);
Result<Challenge> parse_challenge_json(std::string_view json_text);

}  // namespace md::mail::sasl
