#include <doctest/doctest.h>

#include <random>
#include <string>

#include "mail/sasl.h"
#include "util/encoding.h"

using namespace md::mail;
using md::util::base64_encode;

TEST_CASE("mail: XOAUTH2 message matches Google's documented example") {
  auto m = sasl::xoauth2("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg");
  REQUIRE(m);
  CHECK(m.value() == std::string("user=someuser@example.com\x01"
                                 "auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01"));
  CHECK(base64_encode(m.value()) ==
        "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2"
        "cBAQ==");
}

TEST_CASE("mail: OAUTHBEARER message follows RFC 7628 and escapes the gs2 name") {
  auto m =
      sasl::oauthbearer("user@example.com", "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==", "server.example.com", 143);
  REQUIRE(m);
  CHECK(m.value() == std::string("n,a=user@example.com,\x01host=server.example.com\x01port=143\x01"
                                 "auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01"));
  auto escaped = sasl::oauthbearer("a,b=c", "T", "", 0);
  REQUIRE(escaped);
  CHECK(escaped.value() == std::string("n,a=a=2Cb=3Dc,\x01"
                                       "auth=Bearer T\x01\x01"));
}

TEST_CASE("mail: PLAIN message and refusal of fields that would break the structure") {
  auto m = sasl::plain("alice@example.test", "alice-pw");
  REQUIRE(m);
  CHECK(m.value() == std::string("\0alice@example.test\0alice-pw", 28));
  CHECK(sasl::plain(std::string("a\0b", 3), "x").failure().code == "auth.bad_credentials");
  CHECK(sasl::xoauth2("a\x01", "t").failure().code == "auth.bad_credentials");
  CHECK(sasl::xoauth2("a", "t\r\nA2 LOGOUT").failure().code == "auth.bad_credentials");
  CHECK(sasl::oauthbearer("a", "t", "h\x01", 1).failure().code == "auth.bad_credentials");
}

TEST_CASE("mail: mechanism names and the error challenge answers") {
  CHECK(sasl::parse_mechanism("xoauth2") == sasl::Mechanism::xoauth2);
  CHECK(sasl::parse_mechanism("OAuthBearer") == sasl::Mechanism::oauthbearer);
  CHECK(sasl::parse_mechanism("CRAM-MD5") == std::nullopt);
  CHECK(sasl::name(sasl::Mechanism::plain) == "PLAIN");
  CHECK(sasl::error_challenge_answer(sasl::Mechanism::xoauth2).empty());
  CHECK(base64_encode(sasl::error_challenge_answer(sasl::Mechanism::oauthbearer)) == "AQ==");
}

TEST_CASE("mail: Gmail's and Dovecot's error challenges decode") {
  auto gmail = sasl::decode_challenge(
      "eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==");
  REQUIRE(gmail);
  CHECK(gmail.value().status == "400");
  CHECK(gmail.value().schemes == "Bearer");
  CHECK(gmail.value().scope == "https://mail.google.com/");
  CHECK(gmail.value().raw == R"({"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"})");

  auto dovecot = sasl::decode_challenge(
      "eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJtYWlsIiwib3BlbmlkLWNvbmZpZ3VyYXRpb24iOiJodHRwOi8vMTI3"
      "LjAuMC4xOjE3MTAwLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0=");
  REQUIRE(dovecot);
  CHECK(dovecot.value().status == "401");
  CHECK(dovecot.value().scope == "mail");
  CHECK(dovecot.value().openid_configuration == "http://127.0.0.1:17100/.well-known/openid-configuration");

  auto bearer = sasl::decode_challenge("eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=");
  REQUIRE(bearer);
  CHECK(bearer.value().status == "invalid_token");
  CHECK(bearer.value().schemes.empty());

  auto numeric = sasl::parse_challenge_json(R"({"status":401})");
  REQUIRE(numeric);
  CHECK(numeric.value().status == "401");
}

TEST_CASE("mail: garbage challenges are protocol.bad_response, never a crash") {
  const char* bad[] = {"",
                       "!!!!",
                       "eyJzdGF0dXMi",               // truncated base64
                       "bm90IGpzb24=",               // "not json"
                       "WzEsMiwzXQ==",               // [1,2,3]
                       "eyJzdGF0dXMiOnsiYSI6MX19"};  // {"status":{"a":1}}
  for (const char* b : bad) {
    auto r = sasl::decode_challenge(b);
    REQUIRE_FALSE(r);
    CHECK(r.failure().code == "protocol.bad_response");
  }
  CHECK_FALSE(sasl::parse_challenge_json(std::string(100000, '[')));
  CHECK_FALSE(sasl::parse_challenge_json("{\"status\":\"4"));
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string junk(rng() % 64, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    (void)sasl::decode_challenge(base64_encode(junk));
    (void)sasl::decode_challenge(junk);
  }
}
