// Where the vault's key lives (core/vault/key_store.h) without a keyring: the key file forced by
// MAILDOCTOR_KEY_STORE=file, the fallback when no session bus answers, and the failures of a
// folder whose key the keyring keeps. The keyring itself is tested for real, with its own bus and
// gnome-keyring-daemon, in tests/integration/keyring_test.sh. Not on Windows: the key there is the
// DPAPI-wrapped key file (tests/windows).
#include <doctest/doctest.h>

#if !defined(_WIN32)

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "platform/secret_service.h"
#include "temp_dir.h"
#include "vault/key_store.h"
#include "vault/vault.h"

using md::test::TempDir;
using md::vault::Vault;

namespace fs = std::filesystem;

namespace {

constexpr const char* kFile = "key file (owner-only, mode 0600)";

// Sets (or unsets, with nullopt) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value->c_str(), 1);
    else
      ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

std::string read_all(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

void write_marker(const fs::path& key_file) {
  std::ofstream(key_file, std::ios::binary) << md::vault::detail::kKeyringMarker << "\n# test\n";
  fs::permissions(key_file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
}

// A session bus address where nothing listens: the keyring cannot answer, and the test's process
// never reaches the desktop bus of whoever runs it.
struct NoBus {
  TempDir runtime;
  ScopedEnv address{"DBUS_SESSION_BUS_ADDRESS", "unix:path=" + (runtime.path / "no-bus-here").string()};
  ScopedEnv xdg{"XDG_RUNTIME_DIR", runtime.path.string()};
  ScopedEnv display{"DISPLAY", std::nullopt};
  ScopedEnv store{"MAILDOCTOR_KEY_STORE", "auto"};
};

}  // namespace

TEST_CASE("key store: MAILDOCTOR_KEY_STORE=file keeps a 0600 key file and says so") {
  ScopedEnv store("MAILDOCTOR_KEY_STORE", "file");
  TempDir dir;
  const fs::path key_file = dir.path / "vault.key";

  auto before = md::vault::key_protection(key_file);
  REQUIRE(before);
  CHECK(before.value() == "no key yet");
  CHECK_FALSE(fs::exists(key_file));  // describing never creates a key

  auto v = Vault::open(key_file);
  REQUIRE(v);
  CHECK(v.value().protection() == kFile);
  CHECK(fs::file_size(key_file) == md::vault::kKeySize);
  auto after = md::vault::key_protection(key_file);
  REQUIRE(after);
  CHECK(after.value() == kFile);

  // The same key on the next open: a secret sealed before opens after.
  const std::string sealed = v.value().seal("token", "ad");
  auto again = Vault::open(key_file);
  REQUIRE(again);
  auto opened = again.value().unseal(sealed, "ad");
  REQUIRE(opened);
  CHECK(opened.value() == "token");
}

TEST_CASE("key store: with no session bus the key file is the fallback") {
  NoBus no_bus;
  TempDir dir;
  const fs::path key_file = dir.path / "vault.key";

  const auto answer = md::platform::keyring_lookup_vault_key(dir.path.string());
  CHECK(answer.outcome == md::platform::KeyringAnswer::unavailable);
  CHECK_FALSE(answer.detail.empty());

  auto v = Vault::open(key_file);
  REQUIRE(v);
  CHECK(v.value().protection() == kFile);
  CHECK(fs::file_size(key_file) == md::vault::kKeySize);
  auto described = md::vault::key_protection(key_file);
  REQUIRE(described);
  CHECK(described.value() == kFile);
}

TEST_CASE("key store: a folder whose key the keyring keeps fails clearly without it, and gets no new key") {
  TempDir dir;
  const fs::path key_file = dir.path / "vault.key";
  write_marker(key_file);
  const std::string marker = read_all(key_file);

  SUBCASE("no session bus") {
    NoBus no_bus;
    auto v = Vault::open(key_file);
    REQUIRE_FALSE(v);
    CHECK(v.failure().code == "vault.keyring_unavailable");
    CHECK(v.failure().detail.find(dir.path.string()) != std::string::npos);
    auto described = md::vault::key_protection(key_file);
    REQUIRE_FALSE(described);
    CHECK(described.failure().code == "vault.keyring_unavailable");
  }
  SUBCASE("MAILDOCTOR_KEY_STORE=file") {
    ScopedEnv store("MAILDOCTOR_KEY_STORE", "file");
    auto v = Vault::open(key_file);
    REQUIRE_FALSE(v);
    CHECK(v.failure().code == "vault.keyring_unavailable");
    CHECK(v.failure().detail.find("MAILDOCTOR_KEY_STORE=file") != std::string::npos);
  }
  CHECK(read_all(key_file) == marker);  // never replaced by a new key
}

TEST_CASE("key store: the keyring's timeout comes from MAILDOCTOR_KEYRING_TIMEOUT_MS, else 10 s") {
  {
    ScopedEnv t("MAILDOCTOR_KEYRING_TIMEOUT_MS", std::nullopt);
    CHECK(md::platform::keyring_timeout() == std::chrono::seconds(10));
  }
  {
    ScopedEnv t("MAILDOCTOR_KEYRING_TIMEOUT_MS", "1500");
    CHECK(md::platform::keyring_timeout() == std::chrono::milliseconds(1500));
  }
  for (const char* bad : {"0", "-5", "soon", "12x", ""}) {
    ScopedEnv t("MAILDOCTOR_KEYRING_TIMEOUT_MS", std::string(bad));
    CHECK(md::platform::keyring_timeout() == std::chrono::seconds(10));
  }
  CHECK(md::platform::keyring_protection_name("GNOME Keyring") == "Secret Service (GNOME Keyring)");
  CHECK(md::platform::keyring_protection_name("") == "Secret Service");
}

#endif  // !_WIN32
