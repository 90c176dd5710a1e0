// What `status`, the report and the window's sync panel show about an account's mailbox download:
// the counter, UIDVALIDITY, what is stored, how the last sync ended and the last counter reset.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "accounts/account.h"
#include "store/database.h"
#include "sync/message_store.h"

namespace md::sync {

struct SyncStatus {
  std::optional<accounts::Protocol> protocol;  // nullopt: the account has no IMAP or POP3 server
  std::optional<MailboxState> state;           // nullopt: never synced
  StoredCounts stored;                         // for this protocol
  StoredCounts stored_all_protocols;
  size_t pop3_uidls = 0;
  std::optional<LastReset> last_reset;
};

// The messages the last sync downloaded, read from the detail run_sync records with an "ok" result
// ("downloaded N message(s), B bytes..."); nullopt for a failed or cancelled sync, or none.
std::optional<int64_t> last_sync_downloaded(const MailboxState& state);

Result<SyncStatus> load_sync_status(store::Database& db, std::string_view account,
                                    std::optional<accounts::Protocol> protocol);

// The sync keys of DESIGN.md's `status --json`: protocol, uidvalidity, last_uid, stored_messages,
// stored_bytes, last_sync_at, last_sync_result, last_sync_detail, last_reset {admin, at},
// stored_messages_all_protocols, and pop3_uidls for POP3.
nlohmann::json to_json(const SyncStatus& status);

}  // namespace md::sync
