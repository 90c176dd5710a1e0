#include "oauth/pkce.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>

#include "util/encoding.h"

namespace md::oauth {
namespace {

constexpr std::string_view kUnreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
static_assert(kUnreserved.size() == 66);

Failure random_failure() {
  return fail("oauth.random_failed",
              "The system's random number generator failed; MailDoctor will not sign in with guessable secrets.");
}

}  // namespace

Result<std::string> make_code_verifier(size_t length) {
  length = std::clamp(length, kMinVerifierLength, kMaxVerifierLength);
  // Rejection sampling: bytes >= 198 (3 * 66) would favour the first characters of the alphabet.
  constexpr unsigned kLimit = 3 * kUnreserved.size();
  std::string out;
  out.reserve(length);
  std::array<unsigned char, 64> buf{};
  while (out.size() < length) {
    if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) return random_failure();
    for (unsigned char b : buf) {
      if (b >= kLimit) continue;
      out += kUnreserved[b % kUnreserved.size()];
      if (out.size() == length) break;
    }
  }
  OPENSSL_cleanse(buf.data(), buf.size());
  return out;
}

std::string s256_challenge(std::string_view verifier) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(verifier.data(), verifier.size(), digest, &len, EVP_sha256(), nullptr) != 1) return {};
  return util::base64url_encode_unpadded(std::string_view(reinterpret_cast<const char*>(digest), len));
}

Result<Pkce> make_pkce() {
  auto verifier = make_code_verifier();
  if (!verifier) return verifier.failure();
  std::string challenge = s256_challenge(verifier.value());
  if (challenge.empty()) return fail("oauth.random_failed", "SHA-256 is not available in this OpenSSL.");
  return Pkce{std::move(verifier).value(), std::move(challenge)};
}

Result<std::string> make_state() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) return random_failure();
  return util::base64url_encode_unpadded(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

bool constant_time_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace md::oauth
