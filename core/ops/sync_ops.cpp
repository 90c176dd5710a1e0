#include "ops/sync_ops.h"

#include "sync/sync_lock.h"

namespace md::ops {

Result<sync::SyncSummary> sync_account(const OpenedAccount& o, const DataLayout& layout, const SyncRequest& request) {
  const accounts::Account& a = o.account;
  auto protocol = sync::sync_protocol(a, request.protocol);
  if (!protocol) return protocol.failure();
  auto lock = sync::SyncLock::acquire(layout.sync_lock(a.name));
  if (!lock) return lock.failure();
  auto secret = sign_in_secret(o, request.transcript, request.protect);
  if (!secret) return secret.failure();
  sync::SyncOptions options;
  options.protocol = protocol.value();
  options.batch_messages = request.batch_messages;
  if (net::Transcript* t = request.transcript) {
    const char* proto = accounts::to_string(protocol.value());
    options.transcript = [t, proto](protolog::Direction d, std::string_view text) { t->line(proto, d, text); };
  }
  options.on_progress = request.on_progress;
  options.cancelled = request.cancelled;
  if (request.on_start) request.on_start(a, protocol.value());
  return sync::run_sync(*o.db, a, secret.value(), options);
}

Result<admin::AdminSession> confirm_admin(store::Database& db, const AdminProof& proof, admin::Clock::time_point now) {
  if (proof.how() == admin::Confirmation::password) return admin::verify_admin(db, proof.user, proof.password, now);
  if (!proof.window_session) return fail("admin.not_authorized", "No admin is signed in to the window.");
  return admin::confirm_recent_sign_in(db, *proof.window_session, now);
}

Result<sync::CounterReset> preview_reset(const OpenedAccount& o, std::optional<accounts::Protocol> protocol) {
  auto p = sync::sync_protocol(o.account, protocol);
  if (!p) return p.failure();
  return sync::preview_reset(*o.db, o.account.name, p.value());
}

Result<sync::CounterReset> reset_counter(const OpenedAccount& o, const DataLayout& layout,
                                         std::optional<accounts::Protocol> protocol, const admin::AdminSession& by,
                                         admin::Confirmation how, admin::Clock::time_point now) {
  auto p = sync::sync_protocol(o.account, protocol);
  if (!p) return p.failure();
  auto lock = sync::SyncLock::acquire(layout.sync_lock(o.account.name));
  if (!lock) return lock.failure();
  return sync::reset_counter(*o.db, o.account.name, p.value(), by, now, how);
}

}  // namespace md::ops
