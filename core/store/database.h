// The one SQLite file: RAII connections, statements and transactions, migrations counted with
// PRAGMA user_version, WAL so readers never wait on the writer. One Database per thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace md::store {

// Thrown inside the store for SQL errors (a bug, a full disk, a lock held too long); callers at
// module boundaries turn it into a Failure with to_failure().
class Error : public std::runtime_error {
 public:
  Error(int sqlite_code, const std::string& what) : std::runtime_error(what), code_(sqlite_code) {}
  int sqlite_code() const { return code_; }

 private:
  int code_;
};

Failure to_failure(const Error& e);

namespace detail {
template <class T>
struct AsResult {
  using type = Result<T>;
};
template <class T>
struct AsResult<Result<T>> {
  using type = Result<T>;
};
}  // namespace detail

// Runs `body` at a module's edge and returns what it returns as a Result (a Result as it is), a
// store::Error it throws as its Failure: inside, SQL code stays straight-line; outside, nothing throws.
template <class F>
auto guarded(F&& body) -> typename detail::AsResult<decltype(body())>::type {
  try {
    if constexpr (std::is_void_v<decltype(body())>) {
      body();
      return {};
    } else {
      return body();
    }
  } catch (const Error& e) {
    return to_failure(e);
  }
}

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQLite.
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Statement& bind_blob(int index, std::span<const uint8_t> bytes);
  Statement& bind_null(int index);
  Statement& bind(int index, const std::optional<std::string>& text);

  // Advances to the next row: true when a row is available, false when done.
  bool step();
  // Runs a statement that returns no rows.
  void run();
  void reset();

  // Columns are 0-based, as in SQLite.
  bool is_null(int column) const;
  int64_t column_int(int column) const;
  double column_double(int column) const;
  std::string column_text(int column) const;
  std::vector<uint8_t> column_blob(int column) const;
  std::optional<std::string> column_optional_text(int column) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

struct Migration {
  int version;           // becomes PRAGMA user_version once applied; 1, 2, 3... in order
  std::string_view sql;  // may hold several statements
};

class Database {
 public:
  // Opens (creating if missing) and migrates. Fails with store.corrupt, store.too_new,
  // store.locked or store.open_failed, with the file name in the detail.
  static Result<Database> open(const std::filesystem::path& file, std::span<const Migration> migrations);
  static Result<Database> open_in_memory(std::span<const Migration> migrations);

  ~Database();
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(std::string_view sql);
  Statement prepare(std::string_view sql) { return Statement(db_, sql); }
  int user_version();
  int64_t last_insert_rowid() const;
  int changes() const;
  std::string journal_mode();
  // A transaction is open on this connection.
  bool in_transaction() const;

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  static Result<Database> open_uri(const std::string& name, int flags, std::span<const Migration> migrations);
  void migrate(std::span<const Migration> migrations);

  sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE on construction (take the write lock now, not half-way through), ROLLBACK on
// destruction unless commit() ran: an exception anywhere leaves the file as it was. Inside another
// transaction it is a SAVEPOINT, so one operation can compose others that keep their own.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& db_;
  bool nested_ = false;
  bool done_ = false;
};

}  // namespace md::store
