// PKCE (RFC 7636) and the `state` value of the authorization request: the random secrets that tie
// a browser's answer to the sign-in MailDoctor started, and their comparison in constant time.
#pragma once

#include <string>
#include <string_view>

#include "result.h"

namespace md::oauth {

inline constexpr size_t kMinVerifierLength = 43;  // RFC 7636 4.1
inline constexpr size_t kMaxVerifierLength = 128;

struct Pkce {
  std::string verifier;   // stays here until the code exchange
  std::string challenge;  // S256, goes into the authorization URL
};

// `length` characters of the unreserved set (A-Z a-z 0-9 - . _ ~) from OpenSSL's CSPRNG, without
// modulo bias; a length outside 43..128 is clamped into it. Fails "oauth.random_failed" only
// when the random generator itself fails.
Result<std::string> make_code_verifier(size_t length = 64);

// BASE64URL(SHA256(ASCII(verifier))), unpadded: the S256 method, the only one MailDoctor sends.
std::string s256_challenge(std::string_view verifier);

Result<Pkce> make_pkce();

// 256 random bits, base64url: unguessable, URL-safe.
Result<std::string> make_state();

// Equal contents, compared without an early exit (CRYPTO_memcmp); the length is not secret.
bool constant_time_equals(std::string_view a, std::string_view b);

}  // namespace md::oauth
