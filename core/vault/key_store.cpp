#include "vault/key_store.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <system_error>

#include "platform/files.h"
#include "platform/key_protection.h"
#include "platform/secret_service.h"

namespace md::vault::detail {

namespace fs = std::filesystem;

namespace {

constexpr const char* kFileProtection = "key file (owner-only, mode 0600)";

// A string that wipes itself: the key's hex digits on their way to and from the keyring.
struct SecretText {
  std::string text;
  ~SecretText() { OPENSSL_cleanse(text.data(), text.size()); }
};

bool forced_file() {
  const char* env = std::getenv("MAILDOCTOR_KEY_STORE");
  return env && std::string_view(env) == "file";
}

// The keyring's name for this folder: its absolute path, symbolic links resolved where it exists.
std::string folder_of(const fs::path& key_file) {
  std::error_code ec;
  fs::path dir = fs::weakly_canonical(fs::absolute(key_file, ec).parent_path(), ec);
  if (ec) dir = fs::absolute(key_file).parent_path();
  return dir.lexically_normal().string();
}

enum class FileState { missing, marker, other };

FileState file_state(const fs::path& key_file) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(key_file, ec))) return FileState::missing;
  // A key file is 32 bytes; the marker is a short text. Read no more than the marker's first line.
  if (!fs::is_regular_file(key_file, ec) || fs::file_size(key_file, ec) == kKeySize) return FileState::other;
  std::ifstream in(key_file, std::ios::binary);
  std::string head(kKeyringMarker.size(), '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  return in && head == kKeyringMarker ? FileState::marker : FileState::other;
}

std::string marker_text(const std::string& folder) {
  return std::string(kKeyringMarker) +
         "\n# The key of this folder's saved secrets is in your desktop keyring (Secret Service), not in this file:\n"
         "# schema org.maildoctor.VaultKey, data-dir=" +
         folder + "\n";
}

// Puts the marker at key_file (owner-only) in one step: a reader sees the old key file or the
// marker, never a part of either.
bool write_marker(const fs::path& key_file, const std::string& folder) {
  return platform::replace_file(key_file, marker_text(folder), platform::Readers::owner).ok;
}

// The folder a marker was written for ("" when it names none): a folder moved or renamed on this
// computer still finds its key under its old name.
std::string marker_folder(const fs::path& key_file) {
  std::ifstream in(key_file, std::ios::binary);
  const std::string tag = "data-dir=";
  for (std::string line; std::getline(in, line);)
    if (auto at = line.find(tag); at != std::string::npos) return line.substr(at + tag.size());
  return {};
}

std::string to_hex(const KeyBytes& key) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(key.size() * 2);
  for (unsigned char b : key) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

bool from_hex(std::string_view hex, KeyBytes& key) {
  if (hex.size() != key.size() * 2) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < key.size(); ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    key[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  return true;
}

std::string entry_name(const std::string& folder) {
  return "the keyring entry 'MailDoctor vault key (" + folder + ")'";
}

Failure unavailable(const std::string& folder, const std::string& why) {
  return fail("vault.keyring_unavailable",
              "The key of " + folder + " is kept in the desktop keyring (Secret Service), but " + why + ".");
}

// What a keyring answer about an existing keyring key means: the key, or the failure to show.
Result<void> key_from_answer(platform::KeyringAnswer& answer, const std::string& folder, KeyBytes& key) {
  SecretText text{std::move(answer.value)};
  switch (answer.outcome) {
    case platform::KeyringAnswer::found:
      if (from_hex(text.text, key)) return {};
      return fail("vault.key_unwrap_failed", entry_name(folder) + " does not hold a MailDoctor key (" +
                                                 std::to_string(text.text.size()) +
                                                 " characters, 64 hex digits expected): it was changed or damaged.");
    case platform::KeyringAnswer::absent:
      return fail("vault.key_unwrap_failed",
                  "The key of " + folder + " was kept in the desktop keyring, but " + entry_name(folder) +
                      " is gone (removed, or the keyring was reset). vault.key only names the keyring.");
    case platform::KeyringAnswer::locked:
      return fail("vault.keyring_locked", "The key of " + folder + " is in a locked keyring: " + answer.detail);
    case platform::KeyringAnswer::unavailable: break;
  }
  return unavailable(folder, answer.detail);
}

// Saves key in the keyring and reads it back: true only when the keyring now holds this very key.
bool save_in_keyring(const std::string& folder, const KeyBytes& key, std::string& provider) {
  {
    SecretText hex{to_hex(key)};
    if (platform::keyring_store_vault_key(folder, hex.text).outcome != platform::KeyringAnswer::found) return false;
  }
  platform::KeyringAnswer back = platform::keyring_lookup_vault_key(folder);
  SecretText text{std::move(back.value)};
  KeyBytes read{};
  bool same = back.outcome == platform::KeyringAnswer::found && from_hex(text.text, read) &&
              CRYPTO_memcmp(read.data(), key.data(), key.size()) == 0;
  OPENSSL_cleanse(read.data(), read.size());
  provider = back.provider;
  return same;
}

}  // namespace

Result<std::string> load_key(const fs::path& key_file, KeyBytes& key) {
  // Where the system protects the key file itself (DPAPI), that file is the one place for the key.
  if (platform::has_user_key_protection()) {
    if (auto r = open_key_file(key_file, key); !r) return r.failure();
    return platform::user_key_protection_name();
  }
  const FileState state = file_state(key_file);
  const std::string folder = folder_of(key_file);
  if (forced_file()) {
    if (state == FileState::marker)
      return unavailable(folder, "MAILDOCTOR_KEY_STORE=file asks for the key file only. Unset it");
    if (auto r = open_key_file(key_file, key); !r) return r.failure();
    return std::string(kFileProtection);
  }

  platform::KeyringAnswer answer = platform::keyring_lookup_vault_key(folder);
  const std::string provider = answer.provider;
  if (state == FileState::marker) {
    const std::string before = marker_folder(key_file);
    if (answer.outcome == platform::KeyringAnswer::absent && !before.empty() && before != folder) {
      // Moved from `before`: its entry is copied under the new name (the old one stays, for a copy
      // of the folder that may still be there), then the marker names the new folder.
      platform::KeyringAnswer old = platform::keyring_lookup_vault_key(before);
      if (old.outcome != platform::KeyringAnswer::absent) {
        if (auto r = key_from_answer(old, before, key); !r) return r.failure();
        std::string saved_provider;
        if (save_in_keyring(folder, key, saved_provider)) write_marker(key_file, folder);
        return platform::keyring_protection_name(old.provider);
      }
    }
    if (auto r = key_from_answer(answer, folder, key); !r) return r.failure();
    return platform::keyring_protection_name(provider);
  }

  if (answer.outcome == platform::KeyringAnswer::locked && state == FileState::other) {
    // A locked entry cannot outrank the key file beside the database: the file is used (were they
    // the same key, nothing differs; were they not, the file would win anyway -- see below).
    if (auto r = open_key_file(key_file, key); !r) return r.failure();
    return std::string(kFileProtection);
  }
  if (answer.outcome == platform::KeyringAnswer::found || answer.outcome == platform::KeyringAnswer::locked) {
    // The keyring holds a key for this folder: it wins, unless vault.key holds another key.
    if (auto r = key_from_answer(answer, folder, key); !r) return r.failure();
    if (state == FileState::missing) {
      (void)platform::create_owner_only(key_file, marker_text(folder));
      return platform::keyring_protection_name(provider);
    }
    KeyBytes on_disk{};
    auto read = read_existing_key_file(key_file, on_disk);
    if (!read) return read.failure();
    const bool same = CRYPTO_memcmp(on_disk.data(), key.data(), key.size()) == 0;
    if (same) {
      OPENSSL_cleanse(on_disk.data(), on_disk.size());
      write_marker(key_file, folder);  // finish a move cut short; the keyring has this key either way
      return platform::keyring_protection_name(provider);
    }
    key = on_disk;
    OPENSSL_cleanse(on_disk.data(), on_disk.size());
    return std::string(kFileProtection);
  }

  if (answer.outcome == platform::KeyringAnswer::unavailable) {
    if (auto r = open_key_file(key_file, key); !r) return r.failure();
    return std::string(kFileProtection);
  }

  // The keyring answers and has no key for this folder: move the key file's key there, or a new one.
  std::string saved_provider;
  if (state == FileState::other) {
    auto read = read_existing_key_file(key_file, key);
    if (!read) return read.failure();
    if (read.value()) {
      if (save_in_keyring(folder, key, saved_provider) && write_marker(key_file, folder))
        return platform::keyring_protection_name(saved_provider);
      return std::string(kFileProtection);  // the key file stays, and stays in use
    }
  }
  if (RAND_priv_bytes(key.data(), static_cast<int>(key.size())) != 1)
    return fail("vault.key_unreadable", "Cannot create a key: the random number generator failed");
  if (save_in_keyring(folder, key, saved_provider)) {
    auto created = platform::create_owner_only(key_file, marker_text(folder));
    if (created.ok || created.exists) {
      // Another process may have made the folder's key at the same instant: the keyring's copy is
      // the one both use.
      platform::KeyringAnswer now = platform::keyring_lookup_vault_key(folder);
      if (auto r = key_from_answer(now, folder, key); !r) return r.failure();
      return platform::keyring_protection_name(saved_provider);
    }
  }
  if (auto r = open_key_file(key_file, key); !r) return r.failure();
  return std::string(kFileProtection);
}

Result<std::string> describe_key(const fs::path& key_file) {
  if (platform::has_user_key_protection()) {
    std::error_code ec;
    if (!fs::exists(key_file, ec)) return std::string("no key yet");
    return platform::user_key_protection_name();
  }
  const FileState state = file_state(key_file);
  if (state == FileState::missing) return std::string("no key yet");
  if (state == FileState::other) return std::string(kFileProtection);
  const std::string folder = folder_of(key_file);
  if (forced_file()) return unavailable(folder, "MAILDOCTOR_KEY_STORE=file asks for the key file only. Unset it");
  platform::KeyringAnswer answer = platform::keyring_lookup_vault_key(folder);
  if (const std::string before = marker_folder(key_file);
      answer.outcome == platform::KeyringAnswer::absent && !before.empty() && before != folder)
    answer = platform::keyring_lookup_vault_key(before);  // a moved folder (load_key copies it)
  KeyBytes key{};
  auto r = key_from_answer(answer, folder, key);
  OPENSSL_cleanse(key.data(), key.size());
  if (!r) return r.failure();
  return platform::keyring_protection_name(answer.provider);
}

}  // namespace md::vault::detail
