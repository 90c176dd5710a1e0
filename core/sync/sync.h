// Mailbox sync (DESIGN.md "sync"): download the messages of INBOX that the counter says are new,
// store them byte for byte, and move the counter in the same transaction as the messages it
// covers. IMAP: one UID SEARCH for the new UIDs, then one streamed UID FETCH for all of them
// (no round trip per message); POP3: UIDL, then RETR pipelined. Commits in batches, so memory stays
// flat and a kill loses at most the current batch, which the next sync fetches again.
//
// UIDVALIDITY: when the server's differs from the stored one, the stored UIDs mean nothing; the
// sync says so (note and summary) and downloads the whole mailbox again under the new value. The
// messages stored under the old value are kept (nothing is deleted behind the user's back).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "accounts/account.h"
#include "mail/connection.h"
#include "result.h"
#include "store/database.h"
#include "sync/message_store.h"

namespace md::sync {

struct Progress {
  uint64_t done = 0;   // messages stored in this run
  uint64_t total = 0;  // messages this run set out to download
  uint64_t bytes = 0;
  double seconds = 0;
};

struct SyncOptions {
  std::optional<accounts::Protocol> protocol;  // default: IMAP when the account has it, else POP3
  size_t batch_messages = 1000;                // commit after this many messages...
  uint64_t batch_bytes = 32ull << 20;          // ...or this many bytes, whichever comes first
  size_t pop3_window = 64;                     // RETR commands in flight
  mail::Connection::Transcript transcript;     // the protocol log (redacted at capture)
  std::function<void(const Progress&)> on_progress;
  std::function<bool()> cancelled;  // asked after every message; true stops with sync.cancelled
  std::function<std::chrono::system_clock::time_point()> now = [] { return std::chrono::system_clock::now(); };
};

struct SyncSummary {
  accounts::Protocol protocol = accounts::Protocol::imap;
  uint64_t downloaded = 0;
  uint64_t bytes = 0;
  double seconds = 0;
  uint64_t server_messages = 0;                  // in INBOX on the server
  std::optional<uint32_t> uidvalidity;           // IMAP
  uint32_t last_uid = 0;                         // IMAP: the counter after the run
  std::optional<uint32_t> previous_uidvalidity;  // set when UIDVALIDITY changed
  int64_t stored_messages = 0;                   // in the local store for this protocol, after the run
};

// IMAP when the account has it (or `wanted`), else POP3: sync.no_mailbox when neither is set up,
// usage when `wanted` is not set up for the account.
Result<accounts::Protocol> sync_protocol(const accounts::Account& account, std::optional<accounts::Protocol> wanted);

// Runs one sync. `secret` is the password or a fresh access token. Failures: sync.no_mailbox,
// sync.cancelled, the transport, TLS and sign-in codes of the ladder, imap.mailbox_missing,
// imap.throttled, protocol.*, store.*. On a failure after some batches were committed, those stay
// (with their counter) and the detail says how far it got. The result is recorded for `status`.
Result<SyncSummary> run_sync(store::Database& db, const accounts::Account& account, const std::string& secret,
                             const SyncOptions& options);

}  // namespace md::sync
