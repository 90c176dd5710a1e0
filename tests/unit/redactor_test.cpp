#include <doctest/doctest.h>

#include "protolog/redactor.h"
#include "util/encoding.h"

using md::protolog::Direction;
using md::protolog::redact_patterns;
using md::protolog::Redactor;

TEST_CASE("redactor: IMAP AUTHENTICATE and LOGIN keep the verb and the user, not the secret") {
  CHECK(redact_patterns("A1 AUTHENTICATE XOAUTH2 dXNlcj1hQGIBYXV0aD1CZWFyZXIgeHl6AQE=", Direction::client) ==
        "A1 AUTHENTICATE XOAUTH2 <redacted>");
  CHECK(redact_patterns("a2 authenticate PLAIN AGFsaWNlAHNlY3JldA==", Direction::client) ==
        "a2 authenticate PLAIN <redacted>");
  CHECK(redact_patterns("A3 LOGIN alice@example.test hunter22", Direction::client) ==
        "A3 LOGIN alice@example.test <redacted>");
  // Without an initial response there is nothing to hide.
  CHECK(redact_patterns("A4 AUTHENTICATE PLAIN", Direction::client) == "A4 AUTHENTICATE PLAIN");
}

TEST_CASE("redactor: POP3 PASS, AUTH with an initial response, and bare SASL answers") {
  CHECK(redact_patterns("PASS hunter22", Direction::client) == "PASS <redacted>");
  CHECK(redact_patterns("AUTH XOAUTH2 dXNlcj1hQGIBYXV0aD1CZWFyZXIgeHl6AQE=", Direction::client) ==
        "AUTH XOAUTH2 <redacted>");
  CHECK(redact_patterns("AUTH XOAUTH2", Direction::client) == "AUTH XOAUTH2");
  CHECK(redact_patterns("dXNlcj1hQGIBYXV0aD1CZWFyZXIgeHl6AQE=", Direction::client) == "<redacted>");
  // The same text from the server (a challenge) is evidence the support engineer needs.
  CHECK(redact_patterns("+ eyJzdGF0dXMiOiI0MDEifQ==", Direction::server) == "+ eyJzdGF0dXMiOiI0MDEifQ==");
  CHECK(redact_patterns("STAT", Direction::client) == "STAT");
}

TEST_CASE("redactor: HTTP headers and token fields in forms and JSON") {
  CHECK(redact_patterns("Authorization: Bearer ya29.abc", Direction::client) == "Authorization: Bearer <redacted>");
  CHECK(redact_patterns("authorization: Basic dTpw", Direction::client) == "authorization: Basic <redacted>");
  CHECK(redact_patterns("grant_type=refresh_token&refresh_token=1//0gabc&client_id=x", Direction::client) ==
        "grant_type=refresh_token&refresh_token=<redacted>&client_id=x");
  CHECK(redact_patterns("code=4/0AX&code_verifier=abc&client_secret=s3", Direction::client) ==
        "code=<redacted>&code_verifier=<redacted>&client_secret=<redacted>");
  CHECK(
      redact_patterns(R"({"access_token": "ya29.x", "expires_in": 3599, "refresh_token":"1//r"})", Direction::server) ==
      R"({"access_token": "<redacted>", "expires_in": 3599, "refresh_token":"<redacted>"})");
  // An error body carries no secret and stays readable.
  CHECK(redact_patterns(R"({"error":"invalid_grant","error_description":"Bad Request"})", Direction::server) ==
        R"({"error":"invalid_grant","error_description":"Bad Request"})");
  // grant_type=refresh_token names the grant; it is not a token value.
  CHECK(redact_patterns("grant_type=authorization_code", Direction::client) == "grant_type=authorization_code");
}

TEST_CASE("redactor: registered secrets are masked raw, base64 and URL-encoded, anywhere in a line") {
  Redactor r;
  const std::string token = "ya29.a0AfH6SMB/very+secret";
  r.add_secret(token);
  r.add_secret("abc");  // too short to mask safely: ignored
  CHECK(r.redact("token is " + token + " ok", Direction::info) == "token is <redacted> ok");
  CHECK(r.redact("x " + md::util::base64_encode(token), Direction::server).find("AfH6") == std::string::npos);
  CHECK(r.redact("t=" + md::util::url_encode(token), Direction::server) == "t=<redacted>");
  CHECK(r.redact("abc def", Direction::info) == "abc def");
  // Inside a larger SASL payload (XOAUTH2) the base64 of the token alone does not appear, but the
  // pattern layer still hides the whole initial response.
  std::string sasl = md::util::base64_encode(
      "user=a@b\x01"
      "auth=Bearer " +
      token + "\x01\x01");
  CHECK(r.redact("A1 AUTHENTICATE XOAUTH2 " + sasl, Direction::client) == "A1 AUTHENTICATE XOAUTH2 <redacted>");
}
