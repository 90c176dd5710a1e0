// Where the vault's key lives (internal to core/vault): the desktop keyring (Secret Service) on
// Linux where one answers, else the key file -- and the move from one to the other.
//
// On Linux, in this order:
//  1. MAILDOCTOR_KEY_STORE=file: the key file only; the keyring is never asked (tests, headless
//     users who want no D-Bus call). A folder whose key already moved to the keyring then fails
//     with vault.keyring_unavailable, saying so.
//  2. vault.key is the keyring's marker ("MDKEY-SECRET-SERVICE1"): the key must come from the
//     keyring. Entry missing or not a 64-hex-digit key: vault.key_unwrap_failed. Keyring locked:
//     vault.keyring_locked. No keyring answering (no bus, SSH session): vault.keyring_unavailable.
//     The marker names the folder it was written for: a folder moved on this computer finds its
//     key under the old name, copies it under the new one and rewrites the marker.
//  3. The keyring holds a key for this folder: it wins. A missing vault.key gets the marker back;
//     a vault.key holding the same bare key (a move cut short) is replaced by the marker. A
//     vault.key holding a *different* bare key came with its database (a restored or copied
//     folder): that file is used as it is, the keyring entry is left alone, and status says
//     "key file" -- never a key chosen that does not open the database's secrets.
//  4. vault.key holds a bare key and the keyring answers without one: the key is saved in the
//     keyring, read back and compared, and only then vault.key is replaced (rename) by the marker.
//     A step that fails keeps the key file in use: no token is lost at any point.
//  5. No vault.key: a new key goes to the keyring (read back, then the marker is written), or to a
//     new key file where no keyring answers.
// Windows: the DPAPI-wrapped key file (vault.cpp). The returned string names the protection.
#pragma once

#include <array>
#include <filesystem>
#include <string>

#include "result.h"
#include "vault/vault.h"

namespace md::vault::detail {

using KeyBytes = std::array<unsigned char, kKeySize>;

// vault.cpp: reads key_file, or creates it with a new random key (the key file's own rules).
Result<void> open_key_file(const std::filesystem::path& key_file, KeyBytes& key);
// vault.cpp: reads an existing key file (false when there is none), never creates one.
Result<bool> read_existing_key_file(const std::filesystem::path& key_file, KeyBytes& key);

// The key of the folder of key_file, from wherever it is kept (see above); creates one when there
// is none. Returns what protects it: "Secret Service (GNOME Keyring)", "key file (0600)", "DPAPI
// (current user)".
Result<std::string> load_key(const std::filesystem::path& key_file, KeyBytes& key);

// What protects the key of that folder now, without creating one: as load_key, or "no key yet".
// Failures (a keyring entry that cannot be read) are returned as they are.
Result<std::string> describe_key(const std::filesystem::path& key_file);

// The first line of a vault.key that names the keyring instead of holding the key.
inline constexpr std::string_view kKeyringMarker = "MDKEY-SECRET-SERVICE1";

}  // namespace md::vault::detail
