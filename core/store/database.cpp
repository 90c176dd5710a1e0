#include "store/database.h"

#include <sqlite3.h>

#include <chrono>
#include <thread>
#include <utility>

namespace md::store {
namespace {

[[noreturn]] void throw_error(sqlite3* db, int rc, std::string_view context) {
  std::string msg(context);
  msg += ": ";
  msg += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw Error(rc, msg);
}

// How long a writer waits for another process's transaction before giving up with store.locked.
constexpr int kBusyTimeoutMs = 5000;

}  // namespace

Failure to_failure(const Error& e) {
  switch (e.sqlite_code() & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return fail("store.corrupt", std::string("The MailDoctor database is damaged (") + e.what() +
                                       "). Move it aside and start again, or restore a backup.");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return fail("store.locked", std::string("The MailDoctor database is busy in another program (") + e.what() +
                                      "). Wait for it to finish and try again.");
    case SQLITE_FULL: return fail("store.disk_full", std::string("The disk is full (") + e.what() + ").");
    default: return fail("store.failed", e.what());
  }
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  if (rc != SQLITE_OK) throw_error(db, rc, "prepare");
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement& Statement::bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) throw_error(db_, rc, "bind");
  return *this;
}

Statement& Statement::bind(int index, double value) {
  int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK) throw_error(db_, rc, "bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) throw_error(db_, rc, "bind");
  return *this;
}

Statement& Statement::bind_blob(int index, std::span<const uint8_t> bytes) {
  // A zero-length blob must still be a blob, not NULL: SQLite needs a non-null pointer.
  static const uint8_t empty = 0;
  const void* data = bytes.empty() ? &empty : bytes.data();
  int rc = sqlite3_bind_blob64(stmt_, index, data, bytes.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) throw_error(db_, rc, "bind");
  return *this;
}

Statement& Statement::bind_null(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) throw_error(db_, rc, "bind");
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::string>& text) {
  return text ? bind(index, std::string_view(*text)) : bind_null(index);
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw_error(db_, rc, "step");
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int64_t Statement::column_int(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double Statement::column_double(int column) const {
  return sqlite3_column_double(stmt_, column);
}

std::string Statement::column_text(int column) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  int n = sqlite3_column_bytes(stmt_, column);
  return p != nullptr ? std::string(p, static_cast<size_t>(n)) : std::string();
}

std::vector<uint8_t> Statement::column_blob(int column) const {
  const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, column));
  int n = sqlite3_column_bytes(stmt_, column);
  return p != nullptr ? std::vector<uint8_t>(p, p + n) : std::vector<uint8_t>();
}

std::optional<std::string> Statement::column_optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return column_text(column);
}

Result<Database> Database::open(const std::filesystem::path& file, std::span<const Migration> migrations) {
  return open_uri(file.string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, migrations);
}

Result<Database> Database::open_in_memory(std::span<const Migration> migrations) {
  return open_uri(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MEMORY, migrations);
}

Result<Database> Database::open_uri(const std::string& name, int flags, std::span<const Migration> migrations) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(name.c_str(), &raw, flags, nullptr);
  Database db(raw);  // owns the handle even when opening failed
  if (rc != SQLITE_OK) return fail("store.open_failed", "Cannot open the database " + name + ": " + sqlite3_errstr(rc));
  try {
    sqlite3_busy_timeout(raw, kBusyTimeoutMs);
    sqlite3_extended_result_codes(raw, 1);
    // Reading the schema is the first thing that notices a file that is not a database.
    db.exec("SELECT count(*) FROM sqlite_master");
    db.exec("PRAGMA foreign_keys = ON");
    // Deleted rows (old tokens, replaced messages) are overwritten, not left in free pages.
    db.exec("PRAGMA secure_delete = ON");
    if (name != ":memory:") {
      // Switching a new file to WAL needs it to itself, and SQLite answers "database is locked" at
      // once, without the busy timeout, when another connection opens it at the same moment (the
      // window's first start opens it from two workers): try again, within the same bound.
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
      while (db.journal_mode() != "wal") {
        try {
          db.exec("PRAGMA journal_mode = WAL");
        } catch (const Error& e) {
          const int rc = e.sqlite_code() & 0xff;
          if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || std::chrono::steady_clock::now() >= give_up) throw;
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
      }
      db.exec("PRAGMA synchronous = NORMAL");
    }
    int latest = migrations.empty() ? 0 : migrations.back().version;
    if (int current = db.user_version(); current > latest)
      return fail("store.too_new", name + " was written by a newer MailDoctor (schema " + std::to_string(current) +
                                       ", this one knows up to " + std::to_string(latest) +
                                       "). Update MailDoctor, or use another --data-dir.");
    db.migrate(migrations);
  } catch (const Error& e) {
    Failure f = to_failure(e);
    f.detail = name + ": " + f.detail;
    return f;
  }
  return db;
}

Database::~Database() {
  sqlite3_close_v2(db_);
}

Database::Database(Database&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

void Database::exec(std::string_view sql) {
  std::string copy(sql);  // sqlite3_exec wants a terminated string
  char* err = nullptr;
  int rc = sqlite3_exec(db_, copy.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err != nullptr ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw Error(rc, "exec: " + msg);
  }
}

int Database::user_version() {
  Statement st(db_, "PRAGMA user_version");
  st.step();
  return static_cast<int>(st.column_int(0));
}

std::string Database::journal_mode() {
  Statement st(db_, "PRAGMA journal_mode");
  st.step();
  return st.column_text(0);
}

int64_t Database::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_);
}

int Database::changes() const {
  return sqlite3_changes(db_);
}

void Database::migrate(std::span<const Migration> migrations) {
  int current = user_version();
  for (const Migration& m : migrations) {
    if (m.version <= current) continue;
    Transaction tx(*this);
    // Re-read inside the write lock: another process may have migrated meanwhile.
    if (user_version() >= m.version) continue;
    exec(m.sql);
    exec("PRAGMA user_version = " + std::to_string(m.version));
    tx.commit();
  }
}

bool Database::in_transaction() const {
  return sqlite3_get_autocommit(db_) == 0;
}

Transaction::Transaction(Database& db) : db_(db), nested_(db.in_transaction()) {
  db_.exec(nested_ ? "SAVEPOINT md_nested" : "BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
  if (done_) return;
  try {
    if (nested_) {
      db_.exec("ROLLBACK TO md_nested");
      db_.exec("RELEASE md_nested");
    } else {
      db_.exec("ROLLBACK");
    }
  } catch (const Error&) {
    // The transaction may already be gone (SQLite rolls back on some errors by itself).
  }
}

void Transaction::commit() {
  db_.exec(nested_ ? "RELEASE md_nested" : "COMMIT");
  done_ = true;
}

}  // namespace md::store
