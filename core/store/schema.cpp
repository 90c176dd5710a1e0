#include "store/schema.h"

namespace md::store {
namespace {

constexpr Migration kMigrations[] = {
    {1, R"sql(
      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    )sql"},
    {2, R"sql(
      -- One row per account; the protocol and OAuth details are a JSON document (accounts/account.h).
      CREATE TABLE accounts (
        name       TEXT PRIMARY KEY,
        email      TEXT NOT NULL,
        provider   TEXT NOT NULL,
        auth       TEXT NOT NULL,
        settings   TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      -- Tokens, passwords and client secrets: AES-256-GCM ciphertext only (vault/).
      CREATE TABLE secrets (
        account    TEXT NOT NULL REFERENCES accounts(name) ON DELETE CASCADE,
        kind       TEXT NOT NULL,
        sealed     BLOB NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (account, kind)
      );
      -- What may be shown about a token: never the token itself.
      CREATE TABLE token_state (
        account           TEXT PRIMARY KEY REFERENCES accounts(name) ON DELETE CASCADE,
        expires_at        TEXT,
        scopes            TEXT NOT NULL DEFAULT '',
        identity          TEXT,
        refresh_issued_at TEXT,
        last_refresh_at   TEXT,
        last_error        TEXT
      );
    )sql"},
    {3, R"sql(
      -- Admins who may reset mailbox counters. password_hash is a self-describing PHC-style string.
      CREATE TABLE admins (
        username        TEXT PRIMARY KEY,
        password_hash   TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        lockouts        INTEGER NOT NULL DEFAULT 0,
        locked_until    TEXT
      );
      -- Every admin sign-in attempt, lockout and admin action: who, when, what, on which account.
      CREATE TABLE audit (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        at      TEXT NOT NULL,
        admin   TEXT,
        action  TEXT NOT NULL,
        account TEXT,
        detail  TEXT NOT NULL DEFAULT '{}'
      );
    )sql"},
};

}  // namespace

std::span<const Migration> schema() {
  return kMigrations;
}

}  // namespace md::store
