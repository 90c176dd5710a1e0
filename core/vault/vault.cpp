#include "vault/vault.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "platform/files.h"
#include "platform/key_protection.h"
#include "util/time.h"
#include "vault/key_store.h"

namespace md::vault {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kKinds[] = {"access_token", "refresh_token", "id_token", "client_secret", "password"};

// EVP takes int lengths: feed longer inputs in pieces.
constexpr size_t kChunk = size_t{1} << 30;

struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;

std::string openssl_error(std::string_view what) {
  std::string msg(what);
  if (unsigned long e = ERR_get_error(); e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    msg += ": ";
    msg += buf;
  }
  ERR_clear_error();
  return msg;
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* bytes(std::string& s) {
  return reinterpret_cast<unsigned char*>(s.data());
}

// Authenticates the version byte, then the caller's associated data.
bool feed_aad(EVP_CIPHER_CTX* ctx, bool encrypt, std::string_view ad) {
  auto update = encrypt ? EVP_EncryptUpdate : EVP_DecryptUpdate;
  int len = 0;
  if (update(ctx, nullptr, &len, &kFormatVersion, 1) != 1) return false;
  for (size_t off = 0; off < ad.size(); off += kChunk) {
    int n = static_cast<int>(std::min(kChunk, ad.size() - off));
    if (update(ctx, nullptr, &len, bytes(ad) + off, n) != 1) return false;
  }
  return true;
}

// Runs the cipher over in, writing the same number of bytes to out.
bool feed_text(EVP_CIPHER_CTX* ctx, bool encrypt, const unsigned char* in, size_t size, unsigned char* out) {
  auto update = encrypt ? EVP_EncryptUpdate : EVP_DecryptUpdate;
  for (size_t off = 0; off < size; off += kChunk) {
    int n = static_cast<int>(std::min(kChunk, size - off));
    int len = 0;
    if (update(ctx, out + off, &len, in + off, n) != 1 || len != n) return false;
  }
  return true;
}

Failure decrypt_failed(std::string detail) {
  return fail("vault.decrypt_failed", std::move(detail));
}

std::string associated_data(std::string_view account, std::string_view kind) {
  std::string ad(account);
  ad.push_back('\0');
  ad.append(kind);
  return ad;
}

Failure unknown_kind(std::string_view kind) {
  std::string list;
  for (std::string_view k : kKinds) list += (list.empty() ? "" : ", ") + std::string(k);
  return fail("accounts.invalid",
              "'" + std::string(kind) + "' is not a kind of secret MailDoctor keeps (" + list + ")");
}

Failure store_failure(const store::Error& e, std::string_view account) {
  if (e.sqlite_code() == SQLITE_CONSTRAINT_FOREIGNKEY)
    return fail("accounts.not_found", "There is no account named '" + std::string(account) + "' to keep a secret for");
  return store::to_failure(e);
}

// ---- the key file ----
//
// POSIX: the file holds the 32-byte key, and its mode (0600) protects it. Where the system protects
// a secret for the user (DPAPI on Windows) the file holds the key wrapped that way ("MDKEY-DPAPI1"
// and the blob); a plain 32-byte key file from an earlier version is read and rewrapped in place:
// no token is lost in the move. Either way the file is created owner-only, whole, never replaced.

enum class ReadOutcome { ok, missing, failed };
enum class CreateOutcome { created, exists, failed };

constexpr std::string_view kWrappedMagic = "MDKEY-DPAPI1";
// A wrapped key is a few hundred bytes; no key file is read past this.
constexpr size_t kWrappedLimit = 64 * 1024;

std::string size_detail(const fs::path& file, unsigned long long size) {
  return file.string() + " holds " + std::to_string(size) + " bytes; a MailDoctor key file holds exactly " +
         std::to_string(kKeySize) + ". It is damaged or not a key file.";
}

// What the key file holds for `key`; empty (and `failure`) when it cannot be wrapped.
std::string key_file_content(const std::array<unsigned char, kKeySize>& key, Failure& failure) {
  const std::string_view plain(reinterpret_cast<const char*>(key.data()), key.size());
  if (!platform::has_user_key_protection()) return std::string(plain);
  auto blob = platform::protect_for_user(plain);
  if (!blob) {
    failure = blob.failure();
    return {};
  }
  return std::string(kWrappedMagic) + blob.value();
}

ReadOutcome unwrap_key_file(const fs::path& file, const platform::SecretFile& read,
                            std::array<unsigned char, kKeySize>& key, Failure& failure) {
  const std::string& content = read.content;
  if (read.size == kKeySize && content.size() == kKeySize) {
    // An unwrapped key from before: use it, and wrap it now.
    std::memcpy(key.data(), content.data(), kKeySize);
    Failure ignored;
    if (std::string wrapped = key_file_content(key, ignored); !wrapped.empty())
      (void)platform::replace_file(file, wrapped, platform::Readers::owner);
    return ReadOutcome::ok;
  }
  if (content.rfind(kWrappedMagic, 0) != 0) {
    failure = fail("vault.key_invalid", size_detail(file, read.size));
    return ReadOutcome::failed;
  }
  auto plain = platform::unprotect_for_user(std::string_view(content).substr(kWrappedMagic.size()));
  if (!plain) {
    failure = fail(plain.failure().code, file.string() + ": " + plain.failure().detail);
    return ReadOutcome::failed;
  }
  std::string bytes = std::move(plain).value();
  if (bytes.size() != kKeySize) {
    OPENSSL_cleanse(bytes.data(), bytes.size());
    failure = fail("vault.key_invalid", file.string() + " unwraps to " + std::to_string(bytes.size()) +
                                            " bytes; a MailDoctor key holds exactly " + std::to_string(kKeySize));
    return ReadOutcome::failed;
  }
  std::memcpy(key.data(), bytes.data(), kKeySize);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return ReadOutcome::ok;
}

// Reads an existing key file into key.
ReadOutcome read_key_file(const fs::path& file, std::array<unsigned char, kKeySize>& key, Failure& failure) {
  const bool wrapped = platform::has_user_key_protection();
  // A plain key is read one byte past its size, to notice a file that grew after it was opened.
  platform::SecretFile read = platform::read_owner_only(file, wrapped ? kWrappedLimit : kKeySize + 1);
  struct Wipe {
    std::string& s;
    ~Wipe() { OPENSSL_cleanse(s.data(), s.size()); }
  } wipe{read.content};
  switch (read.outcome) {
    case platform::SecretFile::ok: break;
    case platform::SecretFile::missing: return ReadOutcome::missing;
    case platform::SecretFile::failed:
      failure = fail("vault.key_unreadable", "Cannot " + read.action + " the key file " + file.string() +
                                                 (read.error.empty() ? "" : ": " + read.error));
      return ReadOutcome::failed;
    case platform::SecretFile::not_regular:
      failure = fail("vault.key_unreadable", file.string() + " is not a regular file, so it cannot be the key file");
      return ReadOutcome::failed;
    case platform::SecretFile::exposed:
      failure = fail("vault.key_insecure", file.string() + " can be read or changed by other users of this computer (" +
                                               read.error + "). Restrict it to your user with: " + read.remedy);
      return ReadOutcome::failed;
  }
  if (wrapped) return unwrap_key_file(file, read, key, failure);
  if (read.size != kKeySize) {
    failure = fail("vault.key_invalid", size_detail(file, read.size));
    return ReadOutcome::failed;
  }
  if (read.content.size() != kKeySize) {
    failure = fail("vault.key_invalid", size_detail(file, read.content.size()));
    return ReadOutcome::failed;
  }
  std::memcpy(key.data(), read.content.data(), kKeySize);
  return ReadOutcome::ok;
}

// Another process creating the key file at the same instant wins (`exists`): both then use its key.
CreateOutcome create_key_file(const fs::path& file, const std::array<unsigned char, kKeySize>& key, Failure& failure) {
  std::string content = key_file_content(key, failure);
  if (content.empty()) return CreateOutcome::failed;
  auto created = platform::create_owner_only(file, content);
  OPENSSL_cleanse(content.data(), content.size());
  if (created.ok) return CreateOutcome::created;
  if (created.exists) return CreateOutcome::exists;
  failure = fail("vault.key_unreadable", "Cannot create the key file " + file.string() + ": " + created.error);
  return CreateOutcome::failed;
}

}  // namespace

// ---- Vault ----

Result<std::string> key_protection(const fs::path& key_file) {
  return detail::describe_key(key_file);
}

void Vault::KeyDeleter::operator()(std::array<unsigned char, kKeySize>* key) const {
  OPENSSL_cleanse(key->data(), key->size());
  delete key;
}

Vault::Key Vault::new_key() {
  Key key(new std::array<unsigned char, kKeySize>{});
  return key;
}

Result<Vault> Vault::open(const fs::path& key_file) {
  Key key = new_key();
  auto protection = detail::load_key(key_file, *key);
  if (!protection) return protection.failure();
  Vault v(std::move(key));
  v.protection_ = std::move(protection).value();
  return v;
}

namespace detail {

Result<void> open_key_file(const fs::path& key_file, KeyBytes& key) {
  Failure failure;
  switch (read_key_file(key_file, key, failure)) {
    case ReadOutcome::ok: return {};
    case ReadOutcome::failed: return failure;
    case ReadOutcome::missing: break;
  }
  if (RAND_priv_bytes(key.data(), static_cast<int>(key.size())) != 1)
    return fail("vault.key_unreadable", openssl_error("Cannot create a key: the random number generator failed"));
  switch (create_key_file(key_file, key, failure)) {
    case CreateOutcome::created: return {};
    case CreateOutcome::failed: return failure;
    case CreateOutcome::exists: break;
  }
  // Another process created the key file first: use its key, not ours.
  switch (read_key_file(key_file, key, failure)) {
    case ReadOutcome::ok: return {};
    case ReadOutcome::failed: return failure;
    case ReadOutcome::missing: break;
  }
  return fail("vault.key_unreadable",
              key_file.string() + " exists but cannot be opened (a broken symbolic link?). Remove it and try again.");
}

Result<bool> read_existing_key_file(const fs::path& key_file, KeyBytes& key) {
  Failure failure;
  switch (read_key_file(key_file, key, failure)) {
    case ReadOutcome::ok: return true;
    case ReadOutcome::missing: return false;
    case ReadOutcome::failed: break;
  }
  return failure;
}

}  // namespace detail

Vault Vault::from_key_for_tests(std::string key32) {
  if (key32.size() != kKeySize) {
    OPENSSL_cleanse(key32.data(), key32.size());
    throw std::invalid_argument("Vault::from_key_for_tests needs exactly 32 key bytes");
  }
  Key key = new_key();
  std::memcpy(key->data(), key32.data(), kKeySize);
  OPENSSL_cleanse(key32.data(), key32.size());
  return Vault(std::move(key));
}

std::string Vault::seal(std::string_view plaintext, std::string_view associated_data) const {
  if (!key_) throw std::logic_error("Vault::seal on a vault without a key (moved from)");
  std::string out(kSealedOverhead + plaintext.size(), '\0');
  unsigned char* p = bytes(out);
  p[0] = kFormatVersion;
  unsigned char* nonce = p + 1;
  unsigned char* text = nonce + kNonceSize;
  unsigned char* tag = text + plaintext.size();
  if (RAND_bytes(nonce, static_cast<int>(kNonceSize)) != 1)
    throw std::runtime_error(openssl_error("Cannot encrypt: the random number generator failed"));

  Ctx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kNonceSize), nullptr) == 1 &&
            EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key_->data(), nonce) == 1 &&
            feed_aad(ctx.get(), true, associated_data) &&
            feed_text(ctx.get(), true, bytes(plaintext), plaintext.size(), text) &&
            EVP_EncryptFinal_ex(ctx.get(), tag, &len) == 1 && len == 0 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize), tag) == 1;
  if (!ok) {
    OPENSSL_cleanse(out.data(), out.size());
    throw std::runtime_error(openssl_error("Cannot encrypt with AES-256-GCM"));
  }
  return out;
}

Result<std::string> Vault::unseal(std::string_view sealed, std::string_view associated_data) const {
  if (!key_) return decrypt_failed("This vault holds no key");
  if (sealed.size() < kSealedOverhead)
    return decrypt_failed("The sealed secret is too short (" + std::to_string(sealed.size()) + " bytes, at least " +
                          std::to_string(kSealedOverhead) + " expected): it is damaged");
  const unsigned char* p = bytes(sealed);
  if (p[0] != kFormatVersion)
    return decrypt_failed("The sealed secret has format version " + std::to_string(p[0]) +
                          ", this MailDoctor reads version " + std::to_string(kFormatVersion));
  const unsigned char* nonce = p + 1;
  const unsigned char* text = nonce + kNonceSize;
  const size_t text_size = sealed.size() - kSealedOverhead;
  // EVP wants a non-const tag pointer to set it.
  unsigned char tag[kTagSize];
  std::memcpy(tag, text + text_size, kTagSize);

  std::string out(text_size, '\0');
  Ctx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  bool ready = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
               EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kNonceSize), nullptr) == 1 &&
               EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key_->data(), nonce) == 1 &&
               feed_aad(ctx.get(), false, associated_data) &&
               feed_text(ctx.get(), false, text, text_size, bytes(out)) &&
               EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize), tag) == 1;
  if (!ready) {
    OPENSSL_cleanse(out.data(), out.size());
    return decrypt_failed(openssl_error("Cannot decrypt with AES-256-GCM"));
  }
  if (EVP_DecryptFinal_ex(ctx.get(), bytes(out) + text_size, &len) != 1) {
    // Unverified plaintext must not linger.
    OPENSSL_cleanse(out.data(), out.size());
    ERR_clear_error();
    return decrypt_failed(
        "The sealed secret does not verify: it was encrypted with another key file, altered, or copied from "
        "another account or kind");
  }
  return out;
}

// ---- secrets in the store ----

bool is_secret_kind(std::string_view kind) {
  return std::find(std::begin(kKinds), std::end(kKinds), kind) != std::end(kKinds);
}

Result<void> put_secret(store::Database& db, const Vault& v, std::string_view account, std::string_view kind,
                        std::string_view plaintext) {
  if (!is_secret_kind(kind)) return unknown_kind(kind);
  std::string sealed;
  try {
    sealed = v.seal(plaintext, associated_data(account, kind));
  } catch (const std::exception& e) {
    return fail("store.failed", std::string("Cannot encrypt the secret before saving it: ") + e.what());
  }
  try {
    db.prepare(
          "INSERT INTO secrets (account, kind, sealed, updated_at) VALUES (?, ?, ?, ?) "
          "ON CONFLICT (account, kind) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at")
        .bind(1, account)
        .bind(2, kind)
        .bind_blob(3, std::span(bytes(sealed), sealed.size()))
        .bind(4, util::format_iso8601(std::chrono::system_clock::now()))
        .run();
  } catch (const store::Error& e) {
    return store_failure(e, account);
  }
  return {};
}

Result<std::optional<std::string>> get_secret(store::Database& db, const Vault& v, std::string_view account,
                                              std::string_view kind) {
  if (!is_secret_kind(kind)) return unknown_kind(kind);
  std::vector<uint8_t> sealed;
  try {
    auto st = db.prepare("SELECT sealed FROM secrets WHERE account = ? AND kind = ?");
    st.bind(1, account).bind(2, kind);
    if (!st.step()) return std::optional<std::string>();
    sealed = st.column_blob(0);
  } catch (const store::Error& e) {
    return store_failure(e, account);
  }
  auto opened = v.unseal(std::string_view(reinterpret_cast<const char*>(sealed.data()), sealed.size()),
                         associated_data(account, kind));
  if (!opened) {
    Failure f = opened.failure();
    f.detail = "The saved " + std::string(kind) + " of account '" + std::string(account) + "' cannot be read. " +
               f.detail + ".";
    return f;
  }
  return std::optional<std::string>(std::move(opened).value());
}

Result<void> delete_secret(store::Database& db, std::string_view account, std::string_view kind) {
  if (!is_secret_kind(kind)) return unknown_kind(kind);
  try {
    db.prepare("DELETE FROM secrets WHERE account = ? AND kind = ?").bind(1, account).bind(2, kind).run();
  } catch (const store::Error& e) {
    return store_failure(e, account);
  }
  return {};
}

nlohmann::json secret_presence(store::Database& db, std::string_view account) {
  nlohmann::json out = nlohmann::json::object();
  for (const char* kind : {"password", "client_secret", "access_token", "refresh_token"}) out[kind] = false;
  auto st = db.prepare("SELECT kind FROM secrets WHERE account = ?");
  st.bind(1, account);
  while (st.step()) out[st.column_text(0)] = true;
  return out;
}

}  // namespace md::vault
