// Admin users: password hashes, sign-in, lockout with injected time, audit rows (core/admin/).
#include <doctest/doctest.h>

#include "temp_dir.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "admin/admins.h"
#include "admin/audit.h"
#include "admin/password.h"
#include "store/database.h"
#include "store/schema.h"
#include "util/encoding.h"
#include "util/time.h"

using md::admin::AdminSession;
using md::admin::Change;
using md::admin::Clock;
using md::admin::Policy;
using md::store::Database;
using md::test::TempDir;
using std::chrono::seconds;

namespace fs = std::filesystem;

namespace {

// Cheap hashes for tests; the product default is checked on its own below.
constexpr int kTestIterations = 1000;

Policy test_policy() {
  Policy p;
  p.iterations = kTestIterations;
  return p;
}

Clock::time_point t0() {
  return *md::util::parse_iso8601("2026-11-29T10:00:00Z");
}

Database memory_db() {
  auto db = Database::open_in_memory(md::store::schema());
  REQUIRE(db.ok());
  return std::move(db).value();
}

Change by(std::optional<AdminSession> session, Clock::time_point now = t0()) {
  return Change{std::move(session), now, test_policy()};
}

AdminSession session_of(const std::string& user) {
  return AdminSession{user, t0()};
}

// Adds the first admin (no session needed) or another one on behalf of `creator`.
void add(Database& db, const std::string& user, const std::string& password,
         std::optional<std::string> creator = std::nullopt) {
  std::optional<AdminSession> s;
  if (creator) s = session_of(*creator);
  auto r = md::admin::add_admin(db, user, password, by(s));
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.failure().code + ": " + r.failure().detail));
}

std::string code_of(const md::Result<AdminSession>& r) {
  return r.ok() ? std::string("ok") : r.failure().code;
}

md::admin::AdminInfo info_of(Database& db, const std::string& user) {
  auto list = md::admin::list_admins(db);
  REQUIRE(list.ok());
  for (const auto& a : list.value())
    if (a.name == user) return a;
  FAIL("no admin " << user);
  return {};
}

std::vector<std::string> actions(Database& db) {
  std::vector<std::string> out;
  auto st = db.prepare("SELECT action FROM audit ORDER BY id");
  while (st.step()) out.push_back(st.column_text(0));
  return out;
}

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string hex_to_bytes(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

}  // namespace

TEST_CASE("admin: hash format, known answer and verification") {
  std::string stored = md::admin::hash_password("correct horse", kTestIterations);
  CHECK(stored.starts_with("pbkdf2-sha256$1000$"));
  auto parsed = md::admin::parse_hash(stored);
  REQUIRE(parsed);
  CHECK(parsed->iterations == kTestIterations);
  CHECK(parsed->salt.size() == 16);
  CHECK(parsed->hash.size() == 32);
  CHECK(md::admin::verify_password("correct horse", stored));
  // A fresh salt every time: the same password never gives the same string.
  std::string again = md::admin::hash_password("correct horse", kTestIterations);
  CHECK(again != stored);
  CHECK(md::admin::parse_hash(again)->salt != parsed->salt);
  CHECK(md::admin::verify_password("correct horse", again));

  // RFC 7914 section 11: PBKDF2-HMAC-SHA256("passwd", "salt", c = 1), first 32 bytes.
  std::string known = md::admin::hash_password_with_salt("passwd", "salt", 1);
  CHECK(known ==
        "pbkdf2-sha256$1$" + md::util::base64_encode("salt") + "$" +
            md::util::base64_encode(hex_to_bytes("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc")));
}

TEST_CASE("admin: a wrong password does not verify") {
  std::string stored = md::admin::hash_password("correct horse", kTestIterations);
  CHECK_FALSE(md::admin::verify_password("correct hors", stored));
  CHECK_FALSE(md::admin::verify_password("correct horse ", stored));
  CHECK_FALSE(md::admin::verify_password("Correct horse", stored));
  CHECK_FALSE(md::admin::verify_password("", stored));
  // HMAC pads short keys with zero bytes, so "x" and "x\0" derive the same key: the password rules
  // refuse control characters (NUL included), so no admin password can differ only by them.
  CHECK_FALSE(md::admin::check_password_rules(std::string("correct horse\0", 14)));
}

TEST_CASE("admin: malformed stored hashes are refused, never a crash") {
  const std::string salt = md::util::base64_encode(std::string(16, 's'));
  const std::string hash = md::util::base64_encode(std::string(32, 'h'));
  const std::string good = "pbkdf2-sha256$1000$" + salt + "$" + hash;
  REQUIRE(md::admin::parse_hash(good));
  const std::vector<std::string> bad = {
      "",
      "$",
      "$$$",
      "pbkdf2-sha256",
      "pbkdf2-sha256$1000$" + salt,
      "pbkdf2-sha1$1000$" + salt + "$" + hash,
      "PBKDF2-SHA256$1000$" + salt + "$" + hash,
      "pbkdf2-sha256$0$" + salt + "$" + hash,
      "pbkdf2-sha256$-1$" + salt + "$" + hash,
      "pbkdf2-sha256$+1000$" + salt + "$" + hash,
      "pbkdf2-sha256$01000$" + salt + "$" + hash,
      "pbkdf2-sha256$1e3$" + salt + "$" + hash,
      "pbkdf2-sha256$ 1000$" + salt + "$" + hash,
      "pbkdf2-sha256$$" + salt + "$" + hash,
      "pbkdf2-sha256$10000001$" + salt + "$" + hash,  // above kMaxIterations: would take minutes
      "pbkdf2-sha256$99999999999999999999$" + salt + "$" + hash,
      "pbkdf2-sha256$1000$" + md::util::base64_encode(std::string(15, 's')) + "$" + hash,
      "pbkdf2-sha256$1000$" + salt + "$" + md::util::base64_encode(std::string(31, 'h')),
      "pbkdf2-sha256$1000$" + salt + "$" + md::util::base64_encode(std::string(33, 'h')),
      "pbkdf2-sha256$1000$" + salt + "$" + hash + "$",
      "pbkdf2-sha256$1000$" + salt + "$" + hash + "$extra",
      "pbkdf2-sha256$1000$" + salt + "$" + hash + "\n",
      "pbkdf2-sha256$1000$" + salt + "$" + hash.substr(0, hash.size() - 1),
      "pbkdf2-sha256$1000$" + salt + "$*" + hash.substr(1),
      "pbkdf2-sha256$1000$$" + hash,
      "pbkdf2-sha256$1000$" + salt + "$",
      std::string("pbkdf2-sha256$1000\0$", 20) + salt + "$" + hash,
      // Non-canonical base64 (trailing bits set): one hash has one spelling.
      "pbkdf2-sha256$1000$" + salt.substr(0, 21) + "t==" + "$" + hash,
  };
  for (const auto& s : bad) {
    CAPTURE(s);
    CHECK_FALSE(md::admin::parse_hash(s));
    CHECK_FALSE(md::admin::verify_password("anything", s));
  }

  // Random damage to a real hash: a refusal or (rarely) a still-valid string, never a crash.
  std::string real = md::admin::hash_password_with_salt("correct horse", std::string(16, 's'), 10);
  std::mt19937 rng(42);
  for (int i = 0; i < 2000; ++i) {
    std::string s = real;
    int changes = 1 + static_cast<int>(rng() % 3);
    for (int c = 0; c < changes; ++c) s[rng() % s.size()] = static_cast<char>(rng() % 256);
    if (rng() % 4 == 0) s.resize(rng() % s.size());
    if (s.starts_with("pbkdf2-sha256$10$")) {
      // Only the salt or the hash changed: it must not verify any more (unless nothing changed).
      if (s != real) CHECK_FALSE(md::admin::verify_password("correct horse", s));
    } else {
      (void)md::admin::verify_password("correct horse", s);
    }
  }
}

TEST_CASE("admin: digests are compared in constant time (CRYPTO_memcmp)") {
  using md::admin::digests_equal;
  std::vector<unsigned char> a(32, 7), b(32, 7);
  CHECK(digests_equal(a, b));
  b[31] = 8;
  CHECK_FALSE(digests_equal(a, b));
  b[31] = 7;
  b[0] = 8;
  CHECK_FALSE(digests_equal(a, b));
  CHECK_FALSE(digests_equal(a, std::vector<unsigned char>(31, 7)));
  CHECK(digests_equal(std::vector<unsigned char>{}, std::vector<unsigned char>{}));

  // The comparison in the source is CRYPTO_memcmp, and nothing else compares digests.
  std::string src = read_bytes(MAILDOCTOR_SOURCE_DIR "/core/admin/password.cpp");
  REQUIRE_FALSE(src.empty());
  CHECK(contains(src, "CRYPTO_memcmp("));
  size_t plain = 0, crypto = 0;
  for (size_t pos = 0; (pos = src.find("memcmp(", pos)) != std::string::npos; pos += 7) {
    ++plain;
    if (pos >= 7 && src.compare(pos - 7, 7, "CRYPTO_") == 0) ++crypto;
  }
  CHECK(plain == crypto);
  CHECK_FALSE(contains(src, "std::equal"));
  CHECK_FALSE(contains(src, "derived == "));
  CHECK_FALSE(contains(src, "hash == "));
  // verify_password goes through digests_equal.
  CHECK(contains(src, "digests_equal(std::span(bytes(derived)"));
}

TEST_CASE("admin: the product default is at least 600,000 iterations") {
  CHECK(md::admin::kDefaultIterations >= 600'000);
  CHECK(Policy{}.iterations >= 600'000);
  CHECK(Change{}.policy.iterations >= 600'000);
  std::string stored = md::admin::hash_password("correct horse battery");
  auto parsed = md::admin::parse_hash(stored);
  REQUIRE(parsed);
  CHECK(parsed->iterations >= 600'000);
  CHECK(stored.starts_with("pbkdf2-sha256$" + std::to_string(md::admin::kDefaultIterations) + "$"));

  // add_admin with the defaults stores such a hash too.
  Database db = memory_db();
  REQUIRE(md::admin::add_admin(db, "alice", "correct horse battery").ok());
  auto st = db.prepare("SELECT password_hash FROM admins WHERE username = 'alice'");
  REQUIRE(st.step());
  auto saved = md::admin::parse_hash(st.column_text(0));
  REQUIRE(saved);
  CHECK(saved->iterations >= 600'000);
}

TEST_CASE("admin: admin names and password rules") {
  using md::admin::check_admin_name;
  using md::admin::check_password_rules;
  for (const char* ok : {"a", "alice", "Alice.Smith", "ops-team_2", "admin@example.test"}) CHECK(check_admin_name(ok));
  CHECK(check_admin_name(std::string(64, 'a')));
  for (std::string bad : {std::string(), std::string(65, 'a'), std::string("al ice"), std::string("alice\n"),
                          std::string("al/ice"), std::string("élise"), std::string("a\0b", 3), std::string("a;--")}) {
    CAPTURE(bad);
    auto r = check_admin_name(bad);
    REQUIRE_FALSE(r);
    CHECK(r.failure().code == "admin.invalid_name");
  }

  CHECK(check_password_rules("12345678"));
  CHECK(check_password_rules("correct horse battery staple"));
  CHECK(check_password_rules("éééééééé"));  // 8 characters in 16 bytes
  for (std::string bad : {std::string(), std::string("1234567"), std::string("ééééééé"), std::string("pass\tword"),
                          std::string("password\n"), std::string(1025, 'x')}) {
    CAPTURE(bad.size());
    auto r = check_password_rules(bad);
    REQUIRE_FALSE(r);
    CHECK(r.failure().code == "admin.weak_password");
    if (!bad.empty() && bad.size() < 100) CHECK_FALSE(contains(r.failure().detail, bad));
  }

  Database db = memory_db();
  auto r = md::admin::add_admin(db, "alice", "short", by(std::nullopt));
  REQUIRE_FALSE(r);
  CHECK(r.failure().code == "admin.weak_password");
  r = md::admin::add_admin(db, "bad name", "long enough password", by(std::nullopt));
  REQUIRE_FALSE(r);
  CHECK(r.failure().code == "admin.invalid_name");
  CHECK_FALSE(md::admin::has_admins(db).value());
}

TEST_CASE("admin: add, list, change password and remove") {
  Database db = memory_db();
  CHECK_FALSE(md::admin::has_admins(db).value());
  CHECK(md::admin::list_admins(db).value().empty());

  // The first admin needs nobody's session; the next ones need a signed-in admin.
  add(db, "alice", "alice-password");
  CHECK(md::admin::has_admins(db).value());
  auto r = md::admin::add_admin(db, "mallory", "mallory-password", by(std::nullopt));
  REQUIRE_FALSE(r);
  CHECK(r.failure().code == "admin.not_authorized");
  r = md::admin::add_admin(db, "mallory", "mallory-password", by(session_of("ghost")));
  REQUIRE_FALSE(r);
  CHECK(r.failure().code == "admin.not_authorized");
  add(db, "bob", "bob-password", "alice");

  r = md::admin::add_admin(db, "bob", "another-password", by(session_of("alice")));
  REQUIRE_FALSE(r);
  CHECK(r.failure().code == "admin.exists");
  r = md::admin::add_admin(db, "BOB", "another-password", by(session_of("alice")));
  REQUIRE_FALSE(r);
  CHECK(r.failure().code == "admin.exists");

  auto list = md::admin::list_admins(db);
  REQUIRE(list.ok());
  REQUIRE(list.value().size() == 2);
  CHECK(list.value()[0].name == "alice");
  CHECK(list.value()[0].created_at == "2026-11-29T10:00:00Z");
  CHECK(list.value()[0].failed_attempts == 0);
  CHECK_FALSE(list.value()[0].locked_until);
  CHECK_FALSE(list.value()[0].locked_at(t0()));
  CHECK(list.value()[1].name == "bob");

  // A new password: the old one stops working.
  Policy p = test_policy();
  auto s = md::admin::verify_admin(db, "bob", "bob-password", t0(), p);
  REQUIRE(s.ok());
  CHECK(s.value().user == "bob");
  CHECK(s.value().verified_at == t0());
  REQUIRE(md::admin::change_password(db, "bob", "bob-new-password", by(s.value())).ok());
  CHECK(code_of(md::admin::verify_admin(db, "bob", "bob-password", t0(), p)) == "admin.bad_credentials");
  CHECK(code_of(md::admin::verify_admin(db, "bob", "bob-new-password", t0(), p)) == "ok");
  auto weak = md::admin::change_password(db, "bob", "short", by(s.value()));
  REQUIRE_FALSE(weak);
  CHECK(weak.failure().code == "admin.weak_password");
  auto nobody = md::admin::change_password(db, "carol", "carol-password", by(s.value()));
  REQUIRE_FALSE(nobody);
  CHECK(nobody.failure().code == "admin.not_found");
  auto anonymous = md::admin::change_password(db, "bob", "bob-third-password", by(std::nullopt));
  REQUIRE_FALSE(anonymous);
  CHECK(anonymous.failure().code == "admin.not_authorized");

  // Remove: needs a session, refuses unknown names and the last admin.
  auto rm = md::admin::remove_admin(db, "bob", by(std::nullopt));
  REQUIRE_FALSE(rm);
  CHECK(rm.failure().code == "admin.not_authorized");
  rm = md::admin::remove_admin(db, "carol", by(session_of("alice")));
  REQUIRE_FALSE(rm);
  CHECK(rm.failure().code == "admin.not_found");
  REQUIRE(md::admin::remove_admin(db, "bob", by(session_of("alice"))).ok());
  CHECK(code_of(md::admin::verify_admin(db, "bob", "bob-new-password", t0(), p)) == "admin.bad_credentials");
  rm = md::admin::remove_admin(db, "alice", by(session_of("alice")));
  REQUIRE_FALSE(rm);
  CHECK(rm.failure().code == "admin.last_admin");
  CHECK(md::admin::list_admins(db).value().size() == 1);
  // A removed admin's session authorises nothing.
  r = md::admin::add_admin(db, "dave", "dave-password", by(session_of("bob")));
  REQUIRE_FALSE(r);
  CHECK(r.failure().code == "admin.not_authorized");
}

TEST_CASE("admin: an unknown admin and a wrong password give the same failure") {
  Database db = memory_db();
  add(db, "alice", "alice-password");
  Policy p = test_policy();
  auto wrong = md::admin::verify_admin(db, "alice", "not-the-password", t0(), p);
  auto unknown = md::admin::verify_admin(db, "nobody", "not-the-password", t0(), p);
  auto invalid = md::admin::verify_admin(db, "no body!", "not-the-password", t0(), p);
  auto empty = md::admin::verify_admin(db, "", "", t0(), p);
  for (const auto* r : {&wrong, &unknown, &invalid, &empty}) {
    REQUIRE_FALSE(r->ok());
    CHECK(r->failure().code == "admin.bad_credentials");
    CHECK(r->failure().detail == wrong.failure().detail);
    CHECK_FALSE(contains(r->failure().detail, "alice"));
    CHECK_FALSE(contains(r->failure().detail, "nobody"));
    CHECK_FALSE(contains(r->failure().detail, "not-the-password"));
  }
  // Each attempt is audited; the unknown names are not written down.
  auto rows = md::admin::recent_audit(db, 10);
  REQUIRE(rows.ok());
  REQUIRE(rows.value().size() == 5);  // four attempts and the add
  CHECK(rows.value()[0].action == "admin.sign_in_failed");
  CHECK_FALSE(rows.value()[0].admin);
  CHECK(rows.value()[0].detail["reason"] == "unknown_admin");
  CHECK(rows.value()[3].admin == std::optional<std::string>("alice"));
  CHECK(rows.value()[3].detail["reason"] == "bad_password");
}

TEST_CASE("admin: five wrong passwords lock the admin out, for a delay that doubles") {
  using md::admin::lockout_duration;
  Policy p = test_policy();
  CHECK(lockout_duration(p, 1) == seconds(30));
  CHECK(lockout_duration(p, 2) == seconds(60));
  CHECK(lockout_duration(p, 3) == seconds(120));
  CHECK(lockout_duration(p, 4) == seconds(240));
  CHECK(lockout_duration(p, 7) == seconds(1920));
  CHECK(lockout_duration(p, 8) == seconds(3600));
  CHECK(lockout_duration(p, 9) == seconds(3600));
  CHECK(lockout_duration(p, 1'000'000) == seconds(3600));
  CHECK(lockout_duration(p, 0) == seconds(30));

  Database db = memory_db();
  add(db, "alice", "alice-password");
  auto attempt = [&](const std::string& password, Clock::time_point at) {
    return md::admin::verify_admin(db, "alice", password, at, p);
  };
  // Fails `n` times at `at`; the last of five answers admin.locked_out.
  auto fail_five = [&](Clock::time_point at) {
    for (int i = 1; i <= 4; ++i) {
      CAPTURE(i);
      CHECK(code_of(attempt("wrong-password", at)) == "admin.bad_credentials");
      CHECK(info_of(db, "alice").failed_attempts == i);
    }
    return attempt("wrong-password", at);
  };

  Clock::time_point t = t0();
  auto locked = fail_five(t);
  REQUIRE_FALSE(locked.ok());
  CHECK(locked.failure().code == "admin.locked_out");
  CHECK(contains(locked.failure().detail, "until 2026-11-29T10:00:30Z"));
  CHECK(contains(locked.failure().detail, "another 30 s"));
  CHECK_FALSE(contains(locked.failure().detail, "wrong-password"));
  auto a = info_of(db, "alice");
  CHECK(a.failed_attempts == 0);
  CHECK(a.lockouts == 1);
  CHECK(a.locked_at(t + seconds(29)));
  CHECK_FALSE(a.locked_at(t + seconds(30)));

  // While locked even the right password is refused, and attempts do not extend the lock.
  auto refused = attempt("alice-password", t + seconds(29));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.failure().code == "admin.locked_out");
  CHECK(contains(refused.failure().detail, "another 1 s"));
  CHECK(code_of(attempt("wrong-password", t + seconds(29))) == "admin.locked_out");
  CHECK(info_of(db, "alice").failed_attempts == 0);
  CHECK(*info_of(db, "alice").locked_until == t + seconds(30));

  // Second lock: 60 s; third: 120 s.
  t += seconds(30);
  locked = fail_five(t);
  CHECK(code_of(locked) == "admin.locked_out");
  CHECK(contains(locked.failure().detail, "until 2026-11-29T10:01:30Z"));
  CHECK(code_of(attempt("alice-password", t + seconds(59))) == "admin.locked_out");
  t += seconds(60);
  locked = fail_five(t);
  CHECK(contains(locked.failure().detail, "until 2026-11-29T10:03:30Z"));
  CHECK(info_of(db, "alice").lockouts == 3);
  CHECK(code_of(attempt("alice-password", t + seconds(119))) == "admin.locked_out");

  // After the lock, the right password works and resets everything: the next lock is 30 s again.
  t += seconds(120);
  auto ok = attempt("alice-password", t);
  REQUIRE(ok.ok());
  a = info_of(db, "alice");
  CHECK(a.failed_attempts == 0);
  CHECK(a.lockouts == 0);
  CHECK_FALSE(a.locked_until);
  locked = fail_five(t);
  CHECK(contains(locked.failure().detail, "another 30 s"));

  // A success before the fifth wrong password resets the count.
  t += seconds(30);
  for (int i = 0; i < 4; ++i) CHECK(code_of(attempt("wrong-password", t)) == "admin.bad_credentials");
  CHECK(code_of(attempt("alice-password", t)) == "ok");
  CHECK(info_of(db, "alice").failed_attempts == 0);
  CHECK(code_of(attempt("wrong-password", t)) == "admin.bad_credentials");
  CHECK(info_of(db, "alice").failed_attempts == 1);
}

TEST_CASE("admin: the lockout survives closing and reopening the database file") {
  TempDir dir;
  const fs::path file = dir.path / "maildoctor.db";
  Policy p = test_policy();
  {
    auto db = Database::open(file, md::store::schema());
    REQUIRE(db.ok());
    add(db.value(), "alice", "alice-password");
    for (int i = 0; i < 5; ++i) (void)md::admin::verify_admin(db.value(), "alice", "wrong-password", t0(), p);
  }
  auto db = Database::open(file, md::store::schema());
  REQUIRE(db.ok());
  auto refused = md::admin::verify_admin(db.value(), "alice", "alice-password", t0() + seconds(10), p);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.failure().code == "admin.locked_out");
  CHECK(contains(refused.failure().detail, "another 20 s"));
  CHECK(info_of(db.value(), "alice").locked_at(t0() + seconds(10)));
  CHECK(code_of(md::admin::verify_admin(db.value(), "alice", "alice-password", t0() + seconds(30), p)) == "ok");
}

TEST_CASE("admin: another admin's new password clears a lockout") {
  Database db = memory_db();
  Policy p = test_policy();
  add(db, "alice", "alice-password");
  add(db, "bob", "bob-password", "alice");
  for (int i = 0; i < 5; ++i) (void)md::admin::verify_admin(db, "bob", "wrong-password", t0(), p);
  CHECK(info_of(db, "bob").locked_at(t0()));
  // Bob, locked, cannot sign in to change his own password; Alice sets a new one for him.
  CHECK(code_of(md::admin::verify_admin(db, "bob", "bob-password", t0(), p)) == "admin.locked_out");
  auto alice = md::admin::verify_admin(db, "alice", "alice-password", t0(), p);
  REQUIRE(alice.ok());
  REQUIRE(md::admin::change_password(db, "bob", "bob-new-password", by(alice.value())).ok());
  auto b = info_of(db, "bob");
  CHECK_FALSE(b.locked_at(t0()));
  CHECK(b.lockouts == 0);
  CHECK(code_of(md::admin::verify_admin(db, "bob", "bob-new-password", t0(), p)) == "ok");
}

TEST_CASE("admin: damaged rows are refused with a clear code, never a crash") {
  Database db = memory_db();
  Policy p = test_policy();
  add(db, "alice", "alice-password");
  db.exec("UPDATE admins SET password_hash = 'pbkdf2-sha256$1000$garbage' WHERE username = 'alice'");
  auto r = md::admin::verify_admin(db, "alice", "alice-password", t0(), p);
  REQUIRE_FALSE(r.ok());
  CHECK(r.failure().code == "admin.hash_invalid");
  CHECK(info_of(db, "alice").failed_attempts == 0);

  // A lock whose end cannot be read counts as locked (fail closed).
  db.exec("UPDATE admins SET password_hash = 'x', locked_until = 'next tuesday' WHERE username = 'alice'");
  r = md::admin::verify_admin(db, "alice", "alice-password", t0(), p);
  REQUIRE_FALSE(r.ok());
  CHECK(r.failure().code == "admin.locked_out");
  auto a = info_of(db, "alice");
  CHECK(a.lock_unreadable);
  CHECK(a.locked_at(t0() + seconds(86400 * 365)));
}

TEST_CASE("admin: an older, cheaper hash is redone with the policy's iterations at sign-in") {
  Database db = memory_db();
  Policy cheap = test_policy();
  cheap.iterations = 10;
  REQUIRE(md::admin::add_admin(db, "alice", "alice-password", Change{std::nullopt, t0(), cheap}).ok());
  Policy p = test_policy();
  REQUIRE(md::admin::verify_admin(db, "alice", "alice-password", t0(), p).ok());
  auto st = db.prepare("SELECT password_hash FROM admins");
  REQUIRE(st.step());
  CHECK(md::admin::parse_hash(st.column_text(0))->iterations == kTestIterations);
  CHECK(md::admin::verify_admin(db, "alice", "alice-password", t0(), p).ok());
  auto rows = md::admin::recent_audit(db, 2);
  REQUIRE(rows.ok());
  CHECK_FALSE(rows.value()[0].detail.contains("rehashed_iterations"));
  CHECK(rows.value()[1].detail["rehashed_iterations"] == kTestIterations);
}

TEST_CASE("admin: every event is audited and no password reaches the database file") {
  TempDir dir;
  const fs::path file = dir.path / "maildoctor.db";
  Policy p = test_policy();
  const std::string alice_pw = "Alice-Secret-Passw0rd";
  const std::string bob_pw = "Bob-Secret-Passw0rd";
  const std::string bob_new_pw = "Bob-Changed-Passw0rd";
  const std::string wrong_pw = "Wrong-Guess-Passw0rd";
  const std::string typed_as_name = "Typed-As-Name-Passw0rd";
  {
    auto opened = Database::open(file, md::store::schema());
    REQUIRE(opened.ok());
    Database& db = opened.value();
    add(db, "alice", alice_pw);
    add(db, "bob", bob_pw, "alice");
    auto s = md::admin::verify_admin(db, "bob", bob_pw, t0(), p);
    REQUIRE(s.ok());
    REQUIRE(md::admin::change_password(db, "bob", bob_new_pw, by(s.value())).ok());
    (void)md::admin::verify_admin(db, typed_as_name, alice_pw, t0(), p);
    for (int i = 0; i < 5; ++i) (void)md::admin::verify_admin(db, "bob", wrong_pw, t0(), p);
    (void)md::admin::verify_admin(db, "bob", bob_new_pw, t0(), p);  // refused: locked
    REQUIRE(md::admin::remove_admin(db, "bob", by(session_of("alice"))).ok());
    REQUIRE(md::admin::audit(db, "alice", "account.reset_counter", "mail-1", {{"old_uidvalidity", 7}}, t0()).ok());

    CHECK(actions(db) == std::vector<std::string>{"admin.add", "admin.add", "admin.sign_in", "admin.passwd",
                                                  "admin.sign_in_failed", "admin.sign_in_failed",
                                                  "admin.sign_in_failed", "admin.sign_in_failed",
                                                  "admin.sign_in_failed", "admin.sign_in_failed", "admin.locked_out",
                                                  "admin.sign_in_failed", "admin.remove", "account.reset_counter"});
    auto rows = md::admin::recent_audit(db, 100);
    REQUIRE(rows.ok());
    for (const auto& r : rows.value()) {
      CHECK(r.at == "2026-11-29T10:00:00.000Z");
      std::string doc = md::admin::to_json(r).dump();
      for (const auto& secret : {alice_pw, bob_pw, bob_new_pw, wrong_pw, typed_as_name})
        CHECK_MESSAGE(!contains(doc, secret), doc);
    }
    const auto& newest = rows.value().front();
    CHECK(newest.admin == std::optional<std::string>("alice"));
    CHECK(newest.account == std::optional<std::string>("mail-1"));
    CHECK(newest.detail["old_uidvalidity"] == 7);
    CHECK(rows.value()[1].action == "admin.remove");
    CHECK(rows.value()[1].detail["user"] == "bob");
    CHECK(rows.value()[3].action == "admin.locked_out");
    CHECK(rows.value()[3].detail["seconds"] == 30);
    CHECK(rows.value()[3].detail["locked_until"] == "2026-11-29T10:00:30.000Z");
  }
  // Not in the database, its WAL or anything else in the folder.
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir.path)) {
    ++files;
    std::string bytes = read_bytes(entry.path());
    for (const auto& secret : {alice_pw, bob_pw, bob_new_pw, wrong_pw, typed_as_name})
      CHECK_MESSAGE(!contains(bytes, secret), secret << " in " << entry.path().filename().string());
  }
  CHECK(files >= 1);
}

TEST_CASE("admin: audit rows join the caller's transaction, and recent_audit filters and limits") {
  Database db = memory_db();
  {
    md::store::Transaction tx(db);
    md::admin::write_audit(db, "alice", "account.reset_counter", "mail-1", {{"n", 1}}, t0());
    // No commit: the row goes with the rolled-back change.
  }
  CHECK(actions(db).empty());
  {
    md::store::Transaction tx(db);
    md::admin::write_audit(db, "alice", "account.reset_counter", "mail-1", {{"n", 1}}, t0());
    tx.commit();
  }
  REQUIRE(md::admin::audit(db, "", "admin.sign_in_failed", "", nullptr, t0()).ok());
  REQUIRE(md::admin::audit(db, "bob", "account.reset_counter", "mail-2", {{"n", 2}}, t0()).ok());
  REQUIRE(md::admin::audit(db, "bob", "account.reset_counter", "mail-1", {{"n", 3}}, t0()).ok());
  db.exec("INSERT INTO audit (at, action, account, detail) VALUES ('2026-11-29T10:00:00Z', 'x', 'mail-1', '{broken')");

  auto all = md::admin::recent_audit(db, 10);
  REQUIRE(all.ok());
  CHECK(all.value().size() == 5);
  CHECK(all.value()[0].detail == "{broken");  // shown as it is, never a throw
  CHECK(all.value()[3].detail == nlohmann::json::object());
  CHECK_FALSE(all.value()[3].admin);
  CHECK_FALSE(all.value()[3].account);

  auto two = md::admin::recent_audit(db, 2);
  REQUIRE(two.ok());
  CHECK(two.value().size() == 2);
  auto mail1 = md::admin::recent_audit(db, 10, std::string("mail-1"));
  REQUIRE(mail1.ok());
  REQUIRE(mail1.value().size() == 3);
  CHECK(mail1.value()[1].detail["n"] == 3);
  CHECK(mail1.value()[2].detail["n"] == 1);
  CHECK(md::admin::recent_audit(db, 0).value().empty());
  CHECK(md::admin::recent_audit(db, 10, std::string("nobody")).value().empty());
  auto j = md::admin::to_json(mail1.value()[1]);
  CHECK(j["admin"] == "bob");
  CHECK(j["account"] == "mail-1");
  CHECK(j["action"] == "account.reset_counter");
}

TEST_CASE("admin: a window's sign-in confirms a change for kRecentSignIn, while the admin exists and is not locked") {
  using md::admin::confirm_recent_sign_in;
  using md::admin::kRecentSignIn;
  using md::admin::signed_in_recently;
  Database db = memory_db();
  add(db, "carol", "carol-password");
  add(db, "dave", "dave-password", "carol");
  const AdminSession carol = session_of("carol");
  CHECK(signed_in_recently(carol, t0()));
  CHECK(signed_in_recently(carol, t0() + kRecentSignIn));
  CHECK_FALSE(signed_in_recently(carol, t0() + kRecentSignIn + seconds(1)));
  CHECK_FALSE(signed_in_recently(carol, t0() - seconds(1)));  // a clock that went back proves nothing

  CHECK(code_of(confirm_recent_sign_in(db, carol, t0() + seconds(60))) == "ok");
  auto stale = confirm_recent_sign_in(db, carol, t0() + kRecentSignIn + seconds(1));
  REQUIRE_FALSE(stale.ok());
  CHECK(stale.failure().code == "admin.not_authorized");
  CHECK(stale.failure().detail.find("type the admin password") != std::string::npos);

  // Locked out since the sign-in (five wrong passwords): no longer confirms.
  for (int i = 0; i < 5; ++i) (void)md::admin::verify_admin(db, "carol", "wrong", t0() + seconds(10), test_policy());
  auto locked = confirm_recent_sign_in(db, carol, t0() + seconds(20));
  REQUIRE_FALSE(locked.ok());
  CHECK(locked.failure().detail.find("locked out") != std::string::npos);

  // Removed since the sign-in: no longer confirms.
  REQUIRE(md::admin::remove_admin(db, "dave", by(session_of("dave"))));
  auto gone = confirm_recent_sign_in(db, session_of("dave"), t0() + seconds(20));
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.failure().detail.find("no longer exists") != std::string::npos);
}
