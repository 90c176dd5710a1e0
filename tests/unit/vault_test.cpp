#include <doctest/doctest.h>

#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>
#include "temp_dir.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/database.h"
#include "store/schema.h"
#include "util/time.h"
#include "vault/vault.h"

using md::store::Database;
using md::test::TempDir;
using md::vault::Vault;

namespace fs = std::filesystem;

namespace {

std::string key_a() {
  return std::string(32, 'A');
}
std::string key_b() {
  return std::string(32, 'B');
}

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

void write_bytes(const fs::path& file, const std::string& data, fs::perms perms) {
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << data;
  }
  fs::permissions(file, perms, fs::perm_options::replace);
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

unsigned mode_of(const fs::path& file) {
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  return static_cast<unsigned>(st.st_mode & 07777);
}

void add_account(Database& db, const std::string& name) {
  db.prepare(
        "INSERT INTO accounts (name, email, provider, auth, settings, created_at, updated_at) "
        "VALUES (?, ?, 'gmail', 'oauth2', '{}', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')")
      .bind(1, name)
      .bind(2, name + "@example.test")
      .run();
}

int secret_rows(Database& db, const std::string& account) {
  auto st = db.prepare("SELECT count(*) FROM secrets WHERE account = ?");
  st.bind(1, account);
  st.step();
  return static_cast<int>(st.column_int(0));
}

std::string sealed_of(Database& db, const std::string& account, const std::string& kind) {
  auto st = db.prepare("SELECT sealed FROM secrets WHERE account = ? AND kind = ?");
  st.bind(1, account).bind(2, kind);
  REQUIRE(st.step());
  auto blob = st.column_blob(0);
  return std::string(blob.begin(), blob.end());
}

}  // namespace

TEST_CASE("vault: seal then unseal gives the plaintext back, in the documented format") {
  Vault v = Vault::from_key_for_tests(key_a());
  for (std::string plain : {std::string(), std::string("x"), std::string("ya29.a0Af_token-value"),
                            std::string("with\0nul", 8), std::string(100000, 'z')}) {
    std::string sealed = v.seal(plain, std::string("alice\0access_token", 18));
    CHECK(sealed.size() == md::vault::kSealedOverhead + plain.size());
    CHECK(static_cast<unsigned char>(sealed[0]) == md::vault::kFormatVersion);
    if (plain.size() > 4) CHECK_FALSE(contains(sealed, plain));
    auto opened = v.unseal(sealed, std::string("alice\0access_token", 18));
    REQUIRE(opened.ok());
    CHECK(opened.value() == plain);
  }
}

TEST_CASE("vault: the blob is standard AES-256-GCM, checked with OpenSSL directly") {
  const std::string key = key_a();
  Vault v = Vault::from_key_for_tests(key);
  const std::string plain = "refresh-token-1234567890";
  const std::string ad = std::string("bob\0refresh_token", 17);
  std::string sealed = v.seal(plain, ad);
  REQUIRE(sealed.size() == 1 + 12 + plain.size() + 16);

  auto u = [](const std::string& s, size_t off = 0) { return reinterpret_cast<const unsigned char*>(s.data()) + off; };
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  REQUIRE(ctx != nullptr);
  std::string out(plain.size(), '\0');
  std::string tag = sealed.substr(1 + 12 + plain.size());
  int len = 0;
  CHECK(EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, u(key), u(sealed, 1)) == 1);
  CHECK(EVP_DecryptUpdate(ctx, nullptr, &len, u(sealed, 0), 1) == 1);  // the version byte
  CHECK(EVP_DecryptUpdate(ctx, nullptr, &len, u(ad), static_cast<int>(ad.size())) == 1);
  CHECK(EVP_DecryptUpdate(ctx, reinterpret_cast<unsigned char*>(out.data()), &len, u(sealed, 13),
                          static_cast<int>(plain.size())) == 1);
  CHECK(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag.data()) == 1);
  CHECK(EVP_DecryptFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()), &len) == 1);
  EVP_CIPHER_CTX_free(ctx);
  CHECK(out == plain);
}

TEST_CASE("vault: every seal uses a fresh nonce") {
  Vault v = Vault::from_key_for_tests(key_a());
  std::set<std::string> nonces;
  std::set<std::string> blobs;
  for (int i = 0; i < 200; ++i) {
    std::string sealed = v.seal("same plaintext", "same ad");
    nonces.insert(sealed.substr(1, 12));
    blobs.insert(sealed);
  }
  CHECK(nonces.size() == 200);
  CHECK(blobs.size() == 200);
}

TEST_CASE("vault: one vault seals and opens from several threads at once") {
  const Vault v = Vault::from_key_for_tests(key_a());
  std::vector<int> good(4, 0);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < good.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        std::string plain = "thread " + std::to_string(t) + " secret " + std::to_string(i);
        std::string ad = "acct" + std::to_string(t);
        auto opened = v.unseal(v.seal(plain, ad), ad);
        if (opened.ok() && opened.value() == plain) ++good[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int g : good) CHECK(g == 300);
}

TEST_CASE("vault: changing any single byte of a sealed blob makes it fail to open") {
  Vault v = Vault::from_key_for_tests(key_a());
  const std::string sealed = v.seal("secret-password", "ad");
  REQUIRE(v.unseal(sealed, "ad").ok());
  for (size_t i = 0; i < sealed.size(); ++i) {
    for (unsigned char flip : {0x01, 0x80, 0xff}) {
      std::string bad = sealed;
      bad[i] = static_cast<char>(static_cast<unsigned char>(bad[i]) ^ flip);
      auto r = v.unseal(bad, "ad");
      REQUIRE_FALSE(r.ok());
      CHECK_MESSAGE(r.failure().code == "vault.decrypt_failed", "byte " << i);
    }
  }
  // Appending or dropping bytes fails too.
  CHECK(v.unseal(sealed + "x", "ad").failure().code == "vault.decrypt_failed");
  CHECK(v.unseal(sealed.substr(0, sealed.size() - 1), "ad").failure().code == "vault.decrypt_failed");
}

TEST_CASE("vault: the wrong associated data or the wrong key fails to open") {
  Vault a = Vault::from_key_for_tests(key_a());
  Vault b = Vault::from_key_for_tests(key_b());
  const std::string ad = std::string("alice\0access_token", 18);
  const std::string sealed = a.seal("token", ad);
  REQUIRE(a.unseal(sealed, ad).ok());

  for (std::string other : {std::string("bob\0access_token", 16), std::string("alice\0refresh_token", 19),
                            std::string("alice"), std::string(), ad + "x"}) {
    auto r = a.unseal(sealed, other);
    REQUIRE_FALSE(r.ok());
    CHECK(r.failure().code == "vault.decrypt_failed");
  }
  auto r = b.unseal(sealed, ad);
  REQUIRE_FALSE(r.ok());
  CHECK(r.failure().code == "vault.decrypt_failed");
  CHECK_FALSE(contains(r.failure().detail, "token"));
}

TEST_CASE("vault: empty, short, garbage and unknown-version blobs fail cleanly") {
  Vault v = Vault::from_key_for_tests(key_a());
  for (size_t n = 0; n <= md::vault::kSealedOverhead + 40; ++n) {
    for (char fill : {'\0', '\x01', '\x02', '\xff'}) {
      auto r = v.unseal(std::string(n, fill), "ad");
      REQUIRE_FALSE(r.ok());
      CHECK(r.failure().code == "vault.decrypt_failed");
    }
  }
  std::mt19937 rng(12345);
  for (int i = 0; i < 2000; ++i) {
    std::string junk(rng() % 200, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    if (!junk.empty() && i % 2 == 0) junk[0] = '\x01';  // a valid version byte, to reach the cipher
    auto r = v.unseal(junk, "ad");
    REQUIRE_FALSE(r.ok());
    CHECK(r.failure().code == "vault.decrypt_failed");
  }
  // A real blob under another version byte is refused by its version, and says so.
  std::string sealed = v.seal("abc", "ad");
  sealed[0] = '\x02';
  auto r = v.unseal(sealed, "ad");
  REQUIRE_FALSE(r.ok());
  CHECK(r.failure().code == "vault.decrypt_failed");
  CHECK(contains(r.failure().detail, "version 2"));
}

TEST_CASE("vault: a moved-from vault cannot seal or open, and the new owner can") {
  Vault a = Vault::from_key_for_tests(key_a());
  const std::string sealed = a.seal("p", "ad");
  Vault b = std::move(a);
  CHECK(b.unseal(sealed, "ad").value() == "p");
  CHECK(a.unseal(sealed, "ad").failure().code == "vault.decrypt_failed");  // NOLINT(bugprone-use-after-move)
  CHECK_THROWS_AS((void)a.seal("p", "ad"), std::logic_error);              // NOLINT(bugprone-use-after-move)
  CHECK_THROWS_AS(Vault::from_key_for_tests("short"), std::invalid_argument);
}

TEST_CASE("vault: the key file is created 0600 and reused by the next open") {
  TempDir dir;
  const fs::path key_file = dir.path / "vault.key";
  // Even with a permissive umask the file must come out private.
  mode_t old_umask = ::umask(0);
  auto first = Vault::open(key_file);
  ::umask(old_umask);
  REQUIRE(first.ok());
  REQUIRE(fs::exists(key_file));
  CHECK(mode_of(key_file) == 0600);
  CHECK(fs::file_size(key_file) == 32);
  // No temp file left behind.
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path)) ++entries;
  CHECK(entries == 1);

  const std::string key_bytes = read_bytes(key_file);
  CHECK(key_bytes != std::string(32, '\0'));
  const std::string sealed = first.value().seal("kept across opens", "ad");

  auto second = Vault::open(key_file);
  REQUIRE(second.ok());
  CHECK(read_bytes(key_file) == key_bytes);  // not rewritten
  auto opened = second.value().unseal(sealed, "ad");
  REQUIRE(opened.ok());
  CHECK(opened.value() == "kept across opens");

  // The file holds the key itself: a vault over the same bytes opens it too, another key does not.
  CHECK(Vault::from_key_for_tests(key_bytes).unseal(sealed, "ad").value() == "kept across opens");
  CHECK_FALSE(Vault::from_key_for_tests(key_a()).unseal(sealed, "ad").ok());

  // A second key file is a different key.
  auto other = Vault::open(dir.path / "other.key");
  REQUIRE(other.ok());
  CHECK(other.value().unseal(sealed, "ad").failure().code == "vault.decrypt_failed");
}

TEST_CASE("vault: processes creating the key file at the same time end up with one key") {
  for (int round = 0; round < 20; ++round) {
    TempDir dir;
    const fs::path key_file = dir.path / "vault.key";
    std::vector<std::optional<Vault>> vaults(4);
    std::vector<std::string> codes(4);
    std::vector<std::thread> threads;
    for (size_t i = 0; i < vaults.size(); ++i) {
      threads.emplace_back([&, i] {
        auto r = Vault::open(key_file);
        if (r.ok())
          vaults[i] = std::move(r).value();
        else
          codes[i] = r.failure().code;
      });
    }
    for (auto& t : threads) t.join();
    const std::string sealed = Vault::from_key_for_tests(read_bytes(key_file)).seal("one key", "ad");
    for (size_t i = 0; i < vaults.size(); ++i) {
      REQUIRE_MESSAGE(vaults[i].has_value(), codes[i]);
      auto opened = vaults[i]->unseal(sealed, "ad");
      REQUIRE_MESSAGE(opened.ok(), "round " << round << " vault " << i);
      CHECK(opened.value() == "one key");
    }
  }
}

TEST_CASE("vault: a key file others can read is refused with the chmod fix") {
  TempDir dir;
  const fs::path key_file = dir.path / "vault.key";
  const std::string key(32, 'K');
  for (fs::perms perms :
       {fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read,
        fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read,
        fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_write}) {
    write_bytes(key_file, key, perms);
    auto r = Vault::open(key_file);
    REQUIRE_FALSE(r.ok());
    CHECK(r.failure().code == "vault.key_insecure");
    CHECK(contains(r.failure().detail, key_file.string()));
    CHECK(contains(r.failure().detail, "chmod 600"));
    CHECK_FALSE(contains(r.failure().detail, key));
    CHECK(read_bytes(key_file) == key);  // left alone
  }
  CHECK(contains(Vault::open(key_file).failure().detail, "mode 0602"));
  // Fixed as the message says, it opens, with that key.
  fs::permissions(key_file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  auto fixed = Vault::open(key_file);
  REQUIRE(fixed.ok());
  CHECK(Vault::from_key_for_tests(key).unseal(fixed.value().seal("x", "ad"), "ad").value() == "x");
}

TEST_CASE("vault: a key file of the wrong size is refused, without echoing its bytes") {
  TempDir dir;
  const fs::path key_file = dir.path / "vault.key";
  const auto private_perms = fs::perms::owner_read | fs::perms::owner_write;
  for (std::string content : {std::string(), std::string(31, 'S'), std::string(33, 'S'),
                              std::string("SECRETSECRETSECRETSECRETSECRETSECRETSECRET\n"), std::string(4096, 'S')}) {
    write_bytes(key_file, content, private_perms);
    auto r = Vault::open(key_file);
    REQUIRE_FALSE(r.ok());
    CHECK(r.failure().code == "vault.key_invalid");
    CHECK(contains(r.failure().detail, key_file.string()));
    CHECK(contains(r.failure().detail, std::to_string(content.size()) + " bytes"));
    CHECK_FALSE(contains(r.failure().detail, "SSSS"));
    CHECK_FALSE(contains(r.failure().detail, "SECRET"));
    CHECK(read_bytes(key_file) == content);  // never replaced with a new key
  }
}

TEST_CASE("vault: key file I/O errors are vault.key_unreadable") {
  TempDir dir;
  // The parent directory does not exist.
  auto missing_dir = Vault::open(dir.path / "no-such-dir" / "vault.key");
  REQUIRE_FALSE(missing_dir.ok());
  CHECK(missing_dir.failure().code == "vault.key_unreadable");
  CHECK(contains(missing_dir.failure().detail, "no-such-dir"));
  // A directory where the key file should be.
  fs::create_directory(dir.path / "vault.key");
  auto is_dir = Vault::open(dir.path / "vault.key");
  REQUIRE_FALSE(is_dir.ok());
  CHECK(is_dir.failure().code == "vault.key_unreadable");
  // A FIFO must neither hang nor be taken for a key.
  REQUIRE(::mkfifo((dir.path / "fifo.key").c_str(), 0600) == 0);
  auto fifo = Vault::open(dir.path / "fifo.key");
  REQUIRE_FALSE(fifo.ok());
  CHECK(fifo.failure().code == "vault.key_unreadable");
  if (::geteuid() != 0) {  // root reads anything, so only an ordinary user can see this one
    write_bytes(dir.path / "locked.key", std::string(32, 'L'), fs::perms::none);
    auto locked = Vault::open(dir.path / "locked.key");
    REQUIRE_FALSE(locked.ok());
    CHECK(locked.failure().code == "vault.key_unreadable");
  }
}

TEST_CASE("vault: put, get, replace and delete secrets in a real SQLite file") {
  TempDir dir;
  auto db = Database::open(dir.path / "maildoctor.db", md::store::schema());
  REQUIRE(db.ok());
  auto v = Vault::open(dir.path / "vault.key");
  REQUIRE(v.ok());
  add_account(db.value(), "alice");

  auto none = md::vault::get_secret(db.value(), v.value(), "alice", "access_token");
  REQUIRE(none.ok());
  CHECK_FALSE(none.value().has_value());

  REQUIRE(md::vault::put_secret(db.value(), v.value(), "alice", "access_token", "first-token").ok());
  REQUIRE(md::vault::put_secret(db.value(), v.value(), "alice", "refresh_token", "refresh-1").ok());
  auto got = md::vault::get_secret(db.value(), v.value(), "alice", "access_token");
  REQUIRE(got.ok());
  REQUIRE(got.value().has_value());
  CHECK(*got.value() == "first-token");

  // Replacing keeps one row per kind.
  REQUIRE(md::vault::put_secret(db.value(), v.value(), "alice", "access_token", "second-token").ok());
  CHECK(*md::vault::get_secret(db.value(), v.value(), "alice", "access_token").value() == "second-token");
  CHECK(*md::vault::get_secret(db.value(), v.value(), "alice", "refresh_token").value() == "refresh-1");
  CHECK(secret_rows(db.value(), "alice") == 2);
  {
    auto st = db.value().prepare("SELECT updated_at FROM secrets WHERE account = 'alice' AND kind = 'access_token'");
    REQUIRE(st.step());
    auto when = md::util::parse_iso8601(st.column_text(0));
    REQUIRE(when.has_value());
    CHECK(std::chrono::abs(std::chrono::system_clock::now() - *when) < std::chrono::minutes(5));
  }

  // An empty secret is a secret, not a missing one.
  REQUIRE(md::vault::put_secret(db.value(), v.value(), "alice", "password", "").ok());
  auto empty = md::vault::get_secret(db.value(), v.value(), "alice", "password");
  REQUIRE(empty.ok());
  REQUIRE(empty.value().has_value());
  CHECK(empty.value()->empty());

  REQUIRE(md::vault::delete_secret(db.value(), "alice", "access_token").ok());
  CHECK_FALSE(md::vault::get_secret(db.value(), v.value(), "alice", "access_token").value().has_value());
  CHECK(*md::vault::get_secret(db.value(), v.value(), "alice", "refresh_token").value() == "refresh-1");
  CHECK(md::vault::delete_secret(db.value(), "alice", "access_token").ok());  // already gone: fine

  // The values survive closing and reopening both the database and the key file.
  db = Database::open(dir.path / "maildoctor.db", md::store::schema());
  REQUIRE(db.ok());
  auto v2 = Vault::open(dir.path / "vault.key");
  REQUIRE(v2.ok());
  CHECK(*md::vault::get_secret(db.value(), v2.value(), "alice", "refresh_token").value() == "refresh-1");
}

TEST_CASE("vault: secrets rejects unknown kinds, unknown accounts, and a blob moved to another row") {
  auto db = Database::open_in_memory(md::store::schema());
  REQUIRE(db.ok());
  Vault v = Vault::from_key_for_tests(key_a());
  add_account(db.value(), "alice");
  add_account(db.value(), "bob");

  auto bad_kind = md::vault::put_secret(db.value(), v, "alice", "api_key", "x");
  REQUIRE_FALSE(bad_kind.ok());
  CHECK(bad_kind.failure().code == "accounts.invalid");
  CHECK(md::vault::get_secret(db.value(), v, "alice", "api_key").failure().code == "accounts.invalid");
  CHECK(md::vault::delete_secret(db.value(), "alice", "api_key").failure().code == "accounts.invalid");

  auto no_account = md::vault::put_secret(db.value(), v, "carol", "password", "pw-of-carol");
  REQUIRE_FALSE(no_account.ok());
  CHECK(no_account.failure().code == "accounts.not_found");
  CHECK(contains(no_account.failure().detail, "carol"));
  CHECK_FALSE(contains(no_account.failure().detail, "pw-of-carol"));

  for (const char* kind : {"access_token", "refresh_token", "id_token", "client_secret", "password"})
    REQUIRE(md::vault::put_secret(db.value(), v, "alice", kind, std::string("alice-") + kind).ok());
  CHECK(*md::vault::get_secret(db.value(), v, "alice", "id_token").value() == "alice-id_token");

  // alice's access token copied into alice's refresh-token row and into bob's access-token row.
  const std::string alice_access = sealed_of(db.value(), "alice", "access_token");
  auto copy_to = [&](const char* account, const char* kind) {
    db.value()
        .prepare(
            "INSERT INTO secrets (account, kind, sealed, updated_at) VALUES (?, ?, ?, 'x') "
            "ON CONFLICT (account, kind) DO UPDATE SET sealed = excluded.sealed")
        .bind(1, account)
        .bind(2, kind)
        .bind_blob(3, std::span(reinterpret_cast<const uint8_t*>(alice_access.data()), alice_access.size()))
        .run();
  };
  copy_to("alice", "refresh_token");
  copy_to("bob", "access_token");
  auto moved_kind = md::vault::get_secret(db.value(), v, "alice", "refresh_token");
  REQUIRE_FALSE(moved_kind.ok());
  CHECK(moved_kind.failure().code == "vault.decrypt_failed");
  CHECK(contains(moved_kind.failure().detail, "alice"));
  CHECK_FALSE(contains(moved_kind.failure().detail, "alice-access_token"));
  auto moved_account = md::vault::get_secret(db.value(), v, "bob", "access_token");
  REQUIRE_FALSE(moved_account.ok());
  CHECK(moved_account.failure().code == "vault.decrypt_failed");
  // The original still opens.
  CHECK(*md::vault::get_secret(db.value(), v, "alice", "access_token").value() == "alice-access_token");
}

TEST_CASE("vault: the database file holds the sealed blob, never the plaintext") {
  TempDir dir;
  const fs::path file = dir.path / "maildoctor.db";
  const fs::path wal = dir.path / "maildoctor.db-wal";
  const std::string plain = "ya29.PLAINTEXT-MARKER-7f3c9a1e5b2d4086-access-token-value";
  auto db = Database::open(file, md::store::schema());
  REQUIRE(db.ok());
  REQUIRE(db.value().journal_mode() == "wal");
  Vault v = Vault::from_key_for_tests(key_a());
  add_account(db.value(), "alice");
  REQUIRE(md::vault::put_secret(db.value(), v, "alice", "access_token", plain).ok());
  REQUIRE(md::vault::put_secret(db.value(), v, "alice", "password", plain + "-pw").ok());
  const std::string sealed = sealed_of(db.value(), "alice", "access_token");
  REQUIRE(sealed.size() == md::vault::kSealedOverhead + plain.size());

  // Before the checkpoint the row is in the WAL.
  std::string wal_bytes = read_bytes(wal);
  REQUIRE_FALSE(wal_bytes.empty());
  CHECK(contains(wal_bytes, sealed));
  CHECK_FALSE(contains(wal_bytes, plain));

  // After it, in the main file.
  db.value().exec("PRAGMA wal_checkpoint(FULL)");
  std::string db_bytes = read_bytes(file);
  CHECK(contains(db_bytes, sealed));
  CHECK_FALSE(contains(db_bytes, plain));
  CHECK_FALSE(contains(db_bytes, plain.substr(5, 20)));
  wal_bytes = read_bytes(wal);
  CHECK_FALSE(contains(wal_bytes, plain));
  CHECK_FALSE(contains(wal_bytes, plain.substr(5, 20)));
  // The reference check that the search works: the account's e-mail is stored in the clear.
  CHECK(contains(db_bytes, "alice@example.test"));
}

TEST_CASE("vault: deleting an account deletes its secrets (ON DELETE CASCADE)") {
  auto db = Database::open_in_memory(md::store::schema());
  REQUIRE(db.ok());
  Vault v = Vault::from_key_for_tests(key_a());
  add_account(db.value(), "alice");
  add_account(db.value(), "bob");
  REQUIRE(md::vault::put_secret(db.value(), v, "alice", "access_token", "a1").ok());
  REQUIRE(md::vault::put_secret(db.value(), v, "alice", "refresh_token", "a2").ok());
  REQUIRE(md::vault::put_secret(db.value(), v, "bob", "password", "b1").ok());
  CHECK(secret_rows(db.value(), "alice") == 2);

  db.value().prepare("DELETE FROM accounts WHERE name = ?").bind(1, "alice").run();
  CHECK(secret_rows(db.value(), "alice") == 0);
  CHECK_FALSE(md::vault::get_secret(db.value(), v, "alice", "access_token").value().has_value());
  CHECK(secret_rows(db.value(), "bob") == 1);
  CHECK(*md::vault::get_secret(db.value(), v, "bob", "password").value() == "b1");
}
