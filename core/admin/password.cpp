// PBKDF2-HMAC-SHA-256 password hashes in their stored form, and the password rules (password.h).
#include "admin/password.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "util/encoding.h"

namespace md::admin {
namespace {

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string derive(std::string_view password, std::string_view salt, int iterations) {
  if (iterations < 1 || iterations > kMaxIterations) throw std::runtime_error("PBKDF2 iteration count out of range");
  if (password.size() > static_cast<size_t>(INT32_MAX) || salt.size() > static_cast<size_t>(INT32_MAX))
    throw std::runtime_error("PBKDF2 input too long");
  std::string out(kHashSize, '\0');
  // An empty password still needs a non-null pointer for OpenSSL.
  static const char kEmpty = 0;
  const char* pass = password.empty() ? &kEmpty : password.data();
  if (PKCS5_PBKDF2_HMAC(pass, static_cast<int>(password.size()), bytes(salt), static_cast<int>(salt.size()), iterations,
                        EVP_sha256(), static_cast<int>(kHashSize), reinterpret_cast<unsigned char*>(out.data())) != 1)
    throw std::runtime_error("OpenSSL PBKDF2 failed");
  return out;
}

// Strict, canonical base64 of exactly `size` bytes: re-encoding must give the same text back, so
// one hash has one spelling.
std::optional<std::string> decode_exact(std::string_view text, size_t size) {
  auto raw = util::base64_decode(text);
  if (!raw || raw->size() != size || util::base64_encode(*raw) != text) return std::nullopt;
  return raw;
}

// A plain decimal without sign, spaces or leading zeros, in [1, kMaxIterations].
std::optional<int> parse_iterations(std::string_view text) {
  if (text.empty() || text.size() > 9 || text[0] == '0') return std::nullopt;
  int64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (n < 1 || n > kMaxIterations) return std::nullopt;
  return static_cast<int>(n);
}

void wipe(std::string& s) {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
}

}  // namespace

Result<void> check_password_rules(std::string_view password) {
  if (password.empty()) return fail("admin.weak_password", "The password is empty.");
  if (password.size() > kMaxPasswordBytes)
    return fail("admin.weak_password",
                "The password is longer than " + std::to_string(kMaxPasswordBytes) + " bytes; choose a shorter one.");
  size_t chars = 0;
  for (unsigned char c : password) {
    if (c < 0x20 || c == 0x7f)
      return fail("admin.weak_password", "The password contains a control character (such as a tab or a newline).");
    if ((c & 0xC0) != 0x80) ++chars;  // count UTF-8 code points, not bytes
  }
  if (chars < kMinPasswordChars)
    return fail("admin.weak_password",
                "The password is shorter than " + std::to_string(kMinPasswordChars) + " characters.");
  return {};
}

std::string hash_password_with_salt(std::string_view password, std::string_view salt, int iterations) {
  std::string derived = derive(password, salt, iterations);
  std::string out = std::string(kHashScheme) + "$" + std::to_string(iterations) + "$" + util::base64_encode(salt) +
                    "$" + util::base64_encode(derived);
  wipe(derived);
  return out;
}

std::string hash_password(std::string_view password, int iterations) {
  unsigned char salt[kSaltSize];
  if (RAND_bytes(salt, static_cast<int>(kSaltSize)) != 1) throw std::runtime_error("OpenSSL RAND_bytes failed");
  return hash_password_with_salt(password, std::string_view(reinterpret_cast<const char*>(salt), kSaltSize),
                                 iterations);
}

std::optional<ParsedHash> parse_hash(std::string_view stored) {
  std::vector<std::string_view> fields;
  for (size_t start = 0;;) {
    size_t end = stored.find('$', start);
    fields.push_back(stored.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos || fields.size() > 4) break;
    start = end + 1;
  }
  if (fields.size() != 4 || fields[0] != kHashScheme) return std::nullopt;
  auto iterations = parse_iterations(fields[1]);
  auto salt = decode_exact(fields[2], kSaltSize);
  auto hash = decode_exact(fields[3], kHashSize);
  if (!iterations || !salt || !hash) return std::nullopt;
  return ParsedHash{*iterations, std::move(*salt), std::move(*hash)};
}

bool digests_equal(std::span<const unsigned char> a, std::span<const unsigned char> b) {
  // The lengths are public (always kHashSize for well-formed hashes); the contents are compared
  // without an early exit so the time taken says nothing about where they differ.
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool verify_password(std::string_view password, const ParsedHash& stored) {
  std::string derived = derive(password, stored.salt, stored.iterations);
  bool same =
      digests_equal(std::span(bytes(derived), derived.size()), std::span(bytes(stored.hash), stored.hash.size()));
  wipe(derived);
  return same;
}

bool verify_password(std::string_view password, std::string_view stored) {
  auto parsed = parse_hash(stored);
  if (!parsed) return false;
  return verify_password(password, *parsed);
}

void dummy_verify(std::string_view password, int iterations) {
  static const std::string kSalt(kSaltSize, '\x5a');
  static const std::string kHash(kHashSize, '\0');
  ParsedHash dummy{std::max(1, std::min(iterations, kMaxIterations)), kSalt, kHash};
  // The outcome is irrelevant (and practically never true); only the work counts.
  (void)verify_password(password, dummy);
}

}  // namespace md::admin
