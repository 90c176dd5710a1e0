#include <doctest/doctest.h>

#include <sqlite3.h>
#include "temp_dir.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "store/database.h"
#include "store/schema.h"

using md::store::Database;
using md::store::Migration;
using md::store::Transaction;

using md::test::TempDir;

namespace {

const Migration kTwo[] = {
    {1, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, data BLOB);"},
    {2, "ALTER TABLE t ADD COLUMN size INTEGER NOT NULL DEFAULT 0;"},
};

int count(Database& db) {
  auto st = db.prepare("SELECT count(*) FROM t");
  st.step();
  return static_cast<int>(st.column_int(0));
}

}  // namespace

TEST_CASE("store: a new file is migrated to the last version, in WAL mode") {
  TempDir dir;
  auto db = Database::open(dir.path / "a.db", kTwo);
  REQUIRE(db.ok());
  CHECK(db.value().user_version() == 2);
  CHECK(db.value().journal_mode() == "wal");
  db.value().prepare("INSERT INTO t (name, size) VALUES (?, ?)").bind(1, "x").bind(2, 7).run();
  CHECK(count(db.value()) == 1);
}

TEST_CASE("store: migrations already applied are not run again, new ones are") {
  TempDir dir;
  {
    auto db = Database::open(dir.path / "a.db", std::span(kTwo, 1));
    REQUIRE(db.ok());
    CHECK(db.value().user_version() == 1);
    db.value().prepare("INSERT INTO t (name) VALUES ('kept')").run();
  }
  auto db = Database::open(dir.path / "a.db", kTwo);
  REQUIRE(db.ok());
  CHECK(db.value().user_version() == 2);
  auto st = db.value().prepare("SELECT name, size FROM t");
  REQUIRE(st.step());
  CHECK(st.column_text(0) == "kept");
  CHECK(st.column_int(1) == 0);
}

TEST_CASE("store: a failing migration leaves the file at the previous version") {
  TempDir dir;
  const Migration broken[] = {kTwo[0], {2, "CREATE TABLE u (x); THIS IS NOT SQL;"}};
  auto db = Database::open(dir.path / "a.db", broken);
  REQUIRE_FALSE(db.ok());
  auto again = Database::open(dir.path / "a.db", std::span(kTwo, 1));
  REQUIRE(again.ok());
  CHECK(again.value().user_version() == 1);
  // Table u from the half-run migration must not exist.
  CHECK_THROWS_AS(again.value().prepare("SELECT * FROM u"), md::store::Error);
}

TEST_CASE("store: a database from a newer MailDoctor is refused, not downgraded") {
  TempDir dir;
  { REQUIRE(Database::open(dir.path / "a.db", kTwo).ok()); }
  auto db = Database::open(dir.path / "a.db", std::span(kTwo, 1));
  REQUIRE_FALSE(db.ok());
  CHECK(db.failure().code == "store.too_new");
}

TEST_CASE("store: a file that is not a database gives store.corrupt") {
  TempDir dir;
  std::ofstream(dir.path / "bad.db") << std::string(8192, 'x');
  auto db = Database::open(dir.path / "bad.db", kTwo);
  REQUIRE_FALSE(db.ok());
  CHECK(db.failure().code == "store.corrupt");
  CHECK(db.failure().detail.find("bad.db") != std::string::npos);
}

TEST_CASE("store: a transaction rolls back when it is not committed") {
  auto db = Database::open_in_memory(kTwo);
  REQUIRE(db.ok());
  try {
    Transaction tx(db.value());
    db.value().prepare("INSERT INTO t (name) VALUES ('a')").run();
    throw std::runtime_error("interrupted");
  } catch (const std::runtime_error&) {
  }
  CHECK(count(db.value()) == 0);
  {
    Transaction tx(db.value());
    db.value().prepare("INSERT INTO t (name) VALUES ('b')").run();
    tx.commit();
  }
  CHECK(count(db.value()) == 1);
}

TEST_CASE("store: statements bind and read text, blobs (with NUL bytes), integers and NULL") {
  auto db = Database::open_in_memory(kTwo);
  REQUIRE(db.ok());
  const std::vector<uint8_t> bytes = {0, 1, 2, 0, 255};
  db.value()
      .prepare("INSERT INTO t (name, data, size) VALUES (?, ?, ?)")
      .bind(1, std::string("na\0me", 5))
      .bind_blob(2, bytes)
      .bind(3, int64_t{1} << 40)
      .run();
  db.value().prepare("INSERT INTO t (name, data) VALUES ('empty', ?)").bind_blob(1, {}).run();
  db.value().prepare("INSERT INTO t (name, data) VALUES ('null', ?)").bind_null(1).run();

  auto st = db.value().prepare("SELECT name, data, size FROM t ORDER BY id");
  REQUIRE(st.step());
  CHECK(st.column_text(0) == std::string("na\0me", 5));
  CHECK(st.column_blob(1) == bytes);
  CHECK(st.column_int(2) == (int64_t{1} << 40));
  REQUIRE(st.step());
  CHECK_FALSE(st.is_null(1));
  CHECK(st.column_blob(1).empty());
  REQUIRE(st.step());
  CHECK(st.is_null(1));
  CHECK_FALSE(st.step());
}

TEST_CASE("store: bad SQL throws store::Error and maps to a failure code") {
  auto db = Database::open_in_memory(kTwo);
  REQUIRE(db.ok());
  try {
    db.value().exec("SELEC nothing");
    FAIL("no exception");
  } catch (const md::store::Error& e) {
    CHECK(md::store::to_failure(e).code == "store.failed");
  }
}

TEST_CASE("store: a reader sees the last commit while a writer holds its transaction (WAL)") {
  TempDir dir;
  auto a = Database::open(dir.path / "a.db", kTwo);
  auto b = Database::open(dir.path / "a.db", kTwo);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  {
    Transaction tx(a.value());
    a.value().prepare("INSERT INTO t (name) VALUES ('a')").run();
    // WAL: a reader sees the last committed state while the writer holds its transaction.
    CHECK(count(b.value()) == 0);
    tx.commit();
  }
  CHECK(count(b.value()) == 1);
}

TEST_CASE("store: MailDoctor's own schema applies cleanly with secure_delete on") {
  auto db = Database::open_in_memory(md::store::schema());
  REQUIRE(db.ok());
  CHECK(db.value().user_version() == static_cast<int>(md::store::schema().back().version));
  auto st = db.value().prepare("PRAGMA secure_delete");
  REQUIRE(st.step());
  CHECK(st.column_int(0) == 1);
}
