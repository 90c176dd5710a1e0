// PKCE and state: RFC 7636's own test vector, the verifier's alphabet and length, randomness, and
// the constant-time comparison.
#include <doctest/doctest.h>

#include <set>

#include "oauth/pkce.h"

using namespace md::oauth;

TEST_CASE("oauth: PKCE S256 matches RFC 7636 appendix B") {
  CHECK(s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST_CASE("oauth: code verifiers use the unreserved set, 43 to 128 characters, and differ") {
  auto is_unreserved = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
  };
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    auto v = make_code_verifier();
    REQUIRE(v.ok());
    CHECK(v.value().size() == 64);
    for (char c : v.value()) CHECK(is_unreserved(c));
    seen.insert(v.value());
  }
  CHECK(seen.size() == 50);
  CHECK(make_code_verifier(10).value().size() == 43);
  CHECK(make_code_verifier(500).value().size() == 128);
  CHECK(make_code_verifier(43).value().size() == 43);

  // Every character of the alphabet turns up: no byte range is lost to the sampling.
  std::set<char> chars;
  for (int i = 0; i < 40; ++i) {
    auto v = make_code_verifier(128);
    REQUIRE(v.ok());
    chars.insert(v.value().begin(), v.value().end());
  }
  CHECK(chars.size() == 66);
}

TEST_CASE("oauth: make_pkce pairs a verifier with its challenge, states are long, URL-safe and unique") {
  auto p = make_pkce();
  REQUIRE(p.ok());
  CHECK(p.value().challenge == s256_challenge(p.value().verifier));
  CHECK(p.value().challenge.size() == 43);
  auto a = make_state(), b = make_state();
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a.value().size() == 43);
  CHECK(a.value() != b.value());
  CHECK(a.value().find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
        std::string::npos);
}

TEST_CASE("oauth: constant-time comparison of states") {
  CHECK(constant_time_equals("abc", "abc"));
  CHECK_FALSE(constant_time_equals("abc", "abd"));
  CHECK_FALSE(constant_time_equals("abc", "abcd"));
  CHECK_FALSE(constant_time_equals("", "a"));
  CHECK(constant_time_equals("", ""));
}
