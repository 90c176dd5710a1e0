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
    {4, R"sql(
      -- The download counter of one account's mailbox (core/sync). IMAP: UIDVALIDITY and the last
      -- synced UID; POP3 keeps its counter as the set of UIDLs in pop3_seen. Moves only in the
      -- transaction that stores the messages it covers.
      CREATE TABLE mailbox_state (
        account          TEXT NOT NULL REFERENCES accounts(name) ON DELETE CASCADE,
        protocol         TEXT NOT NULL,              -- 'imap' | 'pop3'
        mailbox          TEXT NOT NULL,              -- 'INBOX' (POP3 has only that one)
        uidvalidity      INTEGER,
        last_uid         INTEGER NOT NULL DEFAULT 0,
        last_sync_at     TEXT,
        last_sync_result TEXT,                       -- 'ok', 'cancelled' or a failure code
        last_sync_detail TEXT,
        PRIMARY KEY (account, protocol, mailbox)
      );
      -- The downloaded messages, raw bytes as the server sent them; the envelope is for display.
      -- IMAP rows are unique by (uidvalidity, uid), POP3 rows by uidl: a re-download replaces.
      CREATE TABLE messages (
        id            INTEGER PRIMARY KEY,
        account       TEXT NOT NULL REFERENCES accounts(name) ON DELETE CASCADE,
        protocol      TEXT NOT NULL,
        mailbox       TEXT NOT NULL,
        uidvalidity   INTEGER,
        uid           INTEGER,
        uidl          TEXT,
        size          INTEGER NOT NULL,
        flags         TEXT NOT NULL DEFAULT '',
        from_addr     TEXT NOT NULL DEFAULT '',
        subject       TEXT NOT NULL DEFAULT '',
        date          TEXT NOT NULL DEFAULT '',
        message_id    TEXT NOT NULL DEFAULT '',
        downloaded_at TEXT NOT NULL,
        raw           BLOB NOT NULL
      );
      CREATE UNIQUE INDEX messages_by_uid ON messages(account, mailbox, uidvalidity, uid) WHERE uid IS NOT NULL;
      CREATE UNIQUE INDEX messages_by_uidl ON messages(account, mailbox, uidl) WHERE uidl IS NOT NULL;
      -- POP3's counter: the UIDLs already downloaded.
      CREATE TABLE pop3_seen (
        account TEXT NOT NULL REFERENCES accounts(name) ON DELETE CASCADE,
        uidl    TEXT NOT NULL,
        PRIMARY KEY (account, uidl)
      );
    )sql"},
};

}  // namespace

std::span<const Migration> schema() {
  return kMigrations;
}

}  // namespace md::store
