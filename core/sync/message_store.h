// The local side of a mailbox sync (tables mailbox_state, messages, pop3_seen of schema v4): the
// download counter, the stored messages and the counter reset. The counter only moves inside the
// caller's transaction that stores the messages it covers (DESIGN.md), so a kill at any moment
// loses no message and duplicates none: after a rollback the next sync fetches them again.
// Every function returns a Result (an SQL error is its store.* Failure), except MessageWriter: the
// sync's own writer inside its transaction, where a store::Error rolls the batch back.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "accounts/account.h"
#include "admin/admins.h"
#include "result.h"
#include "store/database.h"

namespace md::sync {

inline constexpr std::string_view kInbox = "INBOX";

struct MailboxState {
  accounts::Protocol protocol = accounts::Protocol::imap;
  std::string mailbox{kInbox};
  std::optional<uint32_t> uidvalidity;  // IMAP
  uint32_t last_uid = 0;                // IMAP: every message up to this UID is stored
  std::optional<std::string> last_sync_at;
  std::optional<std::string> last_sync_result;  // "ok", "cancelled" or a failure code
  std::optional<std::string> last_sync_detail;
};

Result<std::optional<MailboxState>> load_state(store::Database& db, std::string_view account,
                                               accounts::Protocol protocol, std::string_view mailbox = kInbox);
// How the last sync ended (written outside the message transactions: it is a report, not a counter).
Result<void> record_sync_result(store::Database& db, std::string_view account, accounts::Protocol protocol,
                                std::string_view mailbox, std::string_view result, std::string_view detail,
                                std::chrono::system_clock::time_point at);

struct NewMessage {
  accounts::Protocol protocol = accounts::Protocol::imap;
  std::string_view mailbox = kInbox;
  std::optional<uint32_t> uidvalidity;  // IMAP
  std::optional<uint32_t> uid;          // IMAP
  std::optional<std::string> uidl;      // POP3
  std::string flags;                    // IMAP flags, space separated
  std::string_view raw;                 // the message as the server sent it
};

// Statements prepared once for a whole sync run; use inside a store::Transaction. Throws store::Error
// (which rolls that transaction back): only the sync's batch (sync.cpp) writes through it.
class MessageWriter {
 public:
  MessageWriter(store::Database& db, std::string account);
  // Stores a message; the same UID (under the same UIDVALIDITY) or UIDL again replaces the row.
  void put(const NewMessage& message, std::chrono::system_clock::time_point now);
  void set_imap_counter(std::string_view mailbox, uint32_t uidvalidity, uint32_t last_uid);
  void mark_pop3_seen(std::string_view uidl);

 private:
  std::string account_;
  store::Statement upsert_uid_, upsert_uidl_, counter_, seen_;
};

// POP3's counter: the UIDLs downloaded so far.
Result<std::unordered_set<std::string>> pop3_seen(store::Database& db, std::string_view account);

struct StoredCounts {
  int64_t messages = 0;
  int64_t bytes = 0;
};
// All stored messages of the account for one protocol (nullopt: all protocols).
Result<StoredCounts> stored_counts(store::Database& db, std::string_view account,
                                   std::optional<accounts::Protocol> protocol = std::nullopt);
// Messages stored under this UIDVALIDITY: what a reset makes the next sync download again.
Result<int64_t> stored_under_uidvalidity(store::Database& db, std::string_view account, std::string_view mailbox,
                                         uint32_t uidvalidity);

// One stored message for export: `raw` is only valid during the callback.
struct StoredMessage {
  int64_t id = 0;
  accounts::Protocol protocol = accounts::Protocol::imap;
  std::string mailbox;
  std::optional<uint32_t> uidvalidity, uid;
  std::optional<std::string> uidl;
  std::string flags;
  std::string downloaded_at;
  std::string_view raw;
};
// In download order; a failed callback stops the walk and is returned.
Result<void> for_each_message(store::Database& db, std::string_view account,
                              const std::function<Result<void>(const StoredMessage&)>& visit);

// What a counter reset changed (and its audit row says).
struct CounterReset {
  accounts::Protocol protocol = accounts::Protocol::imap;
  std::optional<uint32_t> old_uidvalidity;  // IMAP (kept)
  uint32_t old_last_uid = 0;                // IMAP
  int64_t old_uidl_count = 0;               // POP3
  int64_t will_download = 0;                // messages the next sync fetches again, as far as the store knows
};
// The audit action of a reset.
inline constexpr std::string_view kActionResetCounter = "account.reset_counter";

// What a reset would change, without changing it (for the confirmation question).
Result<CounterReset> preview_reset(store::Database& db, std::string_view account, accounts::Protocol protocol);
// Sets the IMAP counter back to 0 (UIDVALIDITY kept) or clears the POP3 UIDL set, and writes the
// audit row naming the admin and how they confirmed it, in one transaction. `by` comes from
// admin::verify_admin (password) or admin::confirm_recent_sign_in (the window's recent sign-in),
// called just before: nothing else may move a counter backwards.
Result<CounterReset> reset_counter(store::Database& db, std::string_view account, accounts::Protocol protocol,
                                   const admin::AdminSession& by, std::chrono::system_clock::time_point now,
                                   admin::Confirmation how = admin::Confirmation::password);

struct LastReset {
  std::string admin;
  std::string at;
  std::string confirmed_with;  // "password", "recent_sign_in"; "" for rows written before it was kept
};
Result<std::optional<LastReset>> last_reset(store::Database& db, std::string_view account);
// How many counter resets the audit log holds for the account (rows are only ever added: a counter).
Result<int64_t> counter_resets(store::Database& db, std::string_view account);

}  // namespace md::sync
