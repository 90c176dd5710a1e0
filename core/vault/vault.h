// The token vault: access and refresh tokens, ID tokens, client secrets and passwords are kept in
// the store only as AES-256-GCM ciphertext ("sealed"), each bound to its row.
//
// Where the key lives (core/vault/key_store.h): on Linux in the desktop keyring (Secret Service,
// libsecret) where a session bus with a keyring answers, else -- headless servers, CI, an SSH
// session, MAILDOCTOR_KEY_STORE=file -- a 0600 key file; on Windows a key file wrapped by DPAPI for
// the current user. Each wraps the same 32-byte key: moving between them never touches the sealed
// secrets.
//
// Sealed format (version 1):
//   0x01 | nonce (12 bytes, random per seal) | ciphertext (as long as the plaintext) | tag (16 bytes)
// The GCM associated data is the version byte followed by the caller's associated data, so a blob
// only opens for the row it was sealed for (see put_secret: account + '\0' + kind).
#pragma once

#include <nlohmann/json.hpp>

#include <array>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "result.h"
#include "store/database.h"

namespace md::vault {

inline constexpr size_t kKeySize = 32;
inline constexpr size_t kNonceSize = 12;
inline constexpr size_t kTagSize = 16;
inline constexpr unsigned char kFormatVersion = 1;
// The smallest sealed blob: version, nonce and tag around an empty plaintext.
inline constexpr size_t kSealedOverhead = 1 + kNonceSize + kTagSize;

// Holds the key; move-only so the key is not copied around, and wiped (OPENSSL_cleanse) when the
// last owner goes away. A moved-from Vault has no key: seal() throws, unseal() fails. seal() and
// unseal() keep no state between calls: one Vault may serve several threads at once.
class Vault {
 public:
  // Loads the 32-byte key of key_file's folder from the keyring or from key_file, moving a key file's
  // key into the keyring where one answers (key_store.h has the order). The key file itself: loads
  // the 32-byte key from key_file, or creates it (random, written atomically: temp file +
  // link/rename, mode 0600 from creation, never world-readable even for an instant; two processes
  // creating it at once end up with the same key). Refuses a key file that group or others can
  // read/write (vault.key_insecure, with the path and the chmod 600 fix), a key file of the wrong
  // size (vault.key_invalid), and I/O errors (vault.key_unreadable). A key kept in the keyring that
  // cannot be read: vault.key_unwrap_failed (entry gone or damaged), vault.keyring_locked,
  // vault.keyring_unavailable (no keyring answers). Never puts key bytes in a detail.
  static Result<Vault> open(const std::filesystem::path& key_file);
  // A vault over a known key. key32 must hold exactly 32 bytes (a programming error otherwise:
  // throws std::invalid_argument). The argument is wiped.
  static Vault from_key_for_tests(std::string key32);

  // What protects this vault's key: "Secret Service (GNOME Keyring)", "key file (owner-only, mode
  // 0600)", "DPAPI (current user)"; empty for from_key_for_tests.
  const std::string& protection() const { return protection_; }

  Vault(Vault&&) noexcept = default;
  Vault& operator=(Vault&&) noexcept = default;
  Vault(const Vault&) = delete;
  Vault& operator=(const Vault&) = delete;
  ~Vault() = default;

  // Encrypts with a fresh random nonce. Cannot fail on any input; throws std::runtime_error only
  // when the system's random generator or OpenSSL itself fails (no nonce is ever reused or zero).
  std::string seal(std::string_view plaintext, std::string_view associated_data) const;
  // "vault.decrypt_failed" when the tag does not verify (tampered, wrong key, wrong AD) or the
  // blob is malformed (too short, unknown version) -- never a crash on any input.
  Result<std::string> unseal(std::string_view sealed, std::string_view associated_data) const;

 private:
  struct KeyDeleter {
    void operator()(std::array<unsigned char, kKeySize>* key) const;
  };
  using Key = std::unique_ptr<std::array<unsigned char, kKeySize>, KeyDeleter>;

  explicit Vault(Key key) : key_(std::move(key)) {}
  static Key new_key();

  Key key_;
  std::string protection_;
};

// What protects the key of key_file's folder now, for status, reports and the window -- as
// Vault::protection(), or "no key yet" -- without creating or moving a key. Asks the keyring (bounded,
// platform/secret_service.h) when the key is kept there; fails as Vault::open would when it cannot be read.
Result<std::string> key_protection(const std::filesystem::path& key_file);

// Secrets of an account in the store. kind is one of "access_token", "refresh_token", "id_token",
// "client_secret", "password". AD = account + '\0' + kind.
//
// put_secret replaces any earlier value (one row per account and kind) and stamps updated_at. It
// runs one statement and opens no transaction of its own, so callers may wrap several calls in a
// store::Transaction. An unknown kind fails with accounts.invalid, an unknown account with
// accounts.not_found; other store errors become store.* failures.
Result<void> put_secret(store::Database& db, const Vault& v, std::string_view account, std::string_view kind,
                        std::string_view plaintext);
// nullopt when no such secret is saved; vault.decrypt_failed when it is saved but does not open
// (another key file, or the row was altered or copied from another account or kind).
Result<std::optional<std::string>> get_secret(store::Database& db, const Vault& v, std::string_view account,
                                              std::string_view kind);
// Deleting a secret that is not there is not an error.
Result<void> delete_secret(store::Database& db, std::string_view account, std::string_view kind);

// True for the kinds listed above.
bool is_secret_kind(std::string_view kind);

// Which secrets an account has, by kind ({"password": true, "client_secret": false, ...}), without
// reading them: what `account show` and reports may say. Throws store::Error.
nlohmann::json secret_presence(store::Database& db, std::string_view account);

}  // namespace md::vault
