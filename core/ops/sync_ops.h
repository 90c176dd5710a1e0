// Downloading an account's mailbox and resetting its counter: one operation each for the command
// line (`sync`, `reset-counter`), the window (Sync now, the reset dialog) and the background
// schedule. Both take the account's sync lock, so a terminal and a window never overlap.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "admin/admins.h"
#include "ops/opened_account.h"
#include "sync/message_store.h"
#include "sync/sync.h"

namespace md::ops {

struct SyncRequest {
  std::optional<accounts::Protocol> protocol;  // default: the account's (IMAP first)
  size_t batch_messages = sync::SyncOptions{}.batch_messages;
  net::Transcript* transcript = nullptr;  // the token refresh's HTTP and the mail server's lines
  ProtectSecret protect;
  // Once the lock is held and the secret read, just before the first byte to the server.
  std::function<void(const accounts::Account&, accounts::Protocol)> on_start;
  std::function<void(const sync::Progress&)> on_progress;
  std::function<bool()> cancelled;  // true stops after the current message with sync.cancelled
};

// sync.locked while another sync of the account runs, the sign-in secret's failures, and the
// sync's own.
Result<sync::SyncSummary> sync_account(const OpenedAccount& opened, const DataLayout& layout,
                                       const SyncRequest& request);

// How an admin proves who they are for a gated change: a name and password typed now, or the
// session of the admin signed in to the window (accepted within admin::kRecentSignIn).
struct AdminProof {
  std::string user;  // empty: the window's session confirms it
  std::string password;
  std::optional<admin::AdminSession> window_session;
  admin::Confirmation how() const {
    return user.empty() ? admin::Confirmation::recent_sign_in : admin::Confirmation::password;
  }
};

// admin.bad_credentials, admin.locked_out (counted like any sign-in), admin.not_authorized when
// no admin is signed in to the window, admin.* for a session that is too old or whose admin went.
Result<admin::AdminSession> confirm_admin(store::Database& db, const AdminProof& proof, admin::Clock::time_point now);

// What a reset of the account's counter would change, without changing it. store.* failures.
Result<sync::CounterReset> preview_reset(const OpenedAccount& opened, std::optional<accounts::Protocol> protocol);

// Sets the counter back (audited with the admin and how they confirmed), holding the sync lock so
// a sync running now cannot write the old counter back. `by` comes from confirm_admin just before.
Result<sync::CounterReset> reset_counter(const OpenedAccount& opened, const DataLayout& layout,
                                         std::optional<accounts::Protocol> protocol, const admin::AdminSession& by,
                                         admin::Confirmation how, admin::Clock::time_point now);

}  // namespace md::ops
