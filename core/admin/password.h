// Admin password hashes: PBKDF2-HMAC-SHA-256 (OpenSSL), a random 16-byte salt per hash, a 32-byte
// derived key, kept as one self-describing string
//   pbkdf2-sha256$<iterations>$<salt, base64>$<hash, base64>
// so the iteration count can grow later without breaking the hashes already stored (verification
// always uses the count written in the string). Also the password rules for new admin passwords.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "result.h"

namespace md::admin {

// The product's cost for new hashes (OWASP's 2023 figure for PBKDF2-HMAC-SHA-256). Unit tests pass
// fewer iterations explicitly; nothing in the product does.
inline constexpr int kDefaultIterations = 600'000;
// Stored strings outside [1, kMaxIterations] are malformed: a damaged or hostile row must not make
// a sign-in run for minutes.
inline constexpr int kMaxIterations = 10'000'000;
inline constexpr size_t kSaltSize = 16;
inline constexpr size_t kHashSize = 32;
inline constexpr std::string_view kHashScheme = "pbkdf2-sha256";

// Password rules: at least kMinPasswordChars characters (UTF-8 code points), at most
// kMaxPasswordBytes bytes, no control characters.
inline constexpr size_t kMinPasswordChars = 8;
inline constexpr size_t kMaxPasswordBytes = 1024;

struct ParsedHash {
  int iterations = 0;
  std::string salt;  // kSaltSize bytes
  std::string hash;  // kHashSize bytes
};

// "admin.weak_password" (with the rule that was missed, never the password) or ok.
Result<void> check_password_rules(std::string_view password);

// A new stored string with a fresh random salt. Throws std::runtime_error when OpenSSL's random
// generator or PBKDF2 fails, or for iterations outside [1, kMaxIterations] (a programming error).
std::string hash_password(std::string_view password, int iterations = kDefaultIterations);
// The same with a given salt (tests, and the dummy hash that evens out sign-in timing).
std::string hash_password_with_salt(std::string_view password, std::string_view salt, int iterations);

// nullopt for anything that is not exactly the format above: wrong scheme, iteration count not a
// plain decimal in range, salt or hash not strict base64 or of the wrong length, extra fields.
std::optional<ParsedHash> parse_hash(std::string_view stored);

// True when password matches stored. False for a wrong password and for a malformed stored string
// (never throws on any input, except when OpenSSL itself fails: std::runtime_error). Recomputes with
// the stored iteration count and compares in constant time.
bool verify_password(std::string_view password, std::string_view stored);
bool verify_password(std::string_view password, const ParsedHash& stored);

// Constant-time equality (CRYPTO_memcmp); different lengths are unequal.
bool digests_equal(std::span<const unsigned char> a, std::span<const unsigned char> b);

// Burns the same work as verifying against a hash of `iterations` and throws the result away: used
// when there is no stored hash to check (unknown admin, damaged row) so the answer takes as long.
void dummy_verify(std::string_view password, int iterations);

}  // namespace md::admin
