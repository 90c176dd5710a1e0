// The freedesktop Secret Service (GNOME Keyring, KWallet, KeePassXC...) through libsecret: where the
// vault's key lives on a Linux desktop. Built where CMake found libsecret-1 (MAILDOCTOR_HAVE_LIBSECRET);
// elsewhere (Windows, macOS, a build without it) every call answers "unavailable".
//
// The item: schema "org.maildoctor.VaultKey" (libsecret stores it as the attribute xdg:schema) with
// one attribute, "data-dir" = the data folder's absolute path, so two data folders never share or
// overwrite each other's key. The secret is the 32-byte key as 64 hex digits (text/plain), in the
// default collection ("login" on GNOME), labelled "MailDoctor vault key (<folder>)".
//
// Bounded: libsecret's sync calls can block for as long as D-Bus lets them (25 s per call, more
// behind an unlock prompt), so every call here runs with a GCancellable that a watchdog cancels
// after keyring_timeout(): the CLI and the window's jobs get an answer in bounded time.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace md::platform {

// False when MailDoctor was built without libsecret (Windows, macOS, or libsecret-1 missing).
bool keyring_built();

// How long one keyring call may take, unlock prompt included: MAILDOCTOR_KEYRING_TIMEOUT_MS when
// set to a positive number of milliseconds, else 10 s.
std::chrono::milliseconds keyring_timeout();

struct KeyringAnswer {
  enum Outcome {
    found,        // value holds the secret
    absent,       // the keyring answered: no such item
    locked,       // the item is there but stays locked (unlock prompt refused or not answered in time)
    unavailable,  // no session bus, no Secret Service on it, or no answer in time
  };
  Outcome outcome = unavailable;
  std::string value;     // found: the secret (the caller wipes it)
  std::string detail;    // why, for locked and unavailable; never the secret
  std::string provider;  // who answers: "GNOME Keyring", "KWallet", "KeePassXC", else "" (unknown)
};

// The vault key of the data folder data_dir (an absolute path), if the keyring holds one. Asks the
// desktop to unlock (its prompt, within the bound) only when the item is there and locked.
KeyringAnswer keyring_lookup_vault_key(const std::string& data_dir);

// Saves (or replaces) the vault key of data_dir in the default collection, only when that exists
// and is unlocked (never a prompt to create or unlock one). found on success (value empty), else
// unavailable with the detail.
KeyringAnswer keyring_store_vault_key(const std::string& data_dir, std::string_view secret);

// What status shows for a key kept there: "Secret Service (GNOME Keyring)", or "Secret Service".
std::string keyring_protection_name(const std::string& provider);

}  // namespace md::platform
