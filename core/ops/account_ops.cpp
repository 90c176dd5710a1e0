#include "ops/account_ops.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "accounts/repository.h"
#include "admin/audit.h"
#include "oauth/discovery.h"
#include "oauth/token_endpoint.h"
#include "tokens/token_service.h"

namespace md::ops {
namespace {

constexpr std::string_view kActionRemoveAccount = "account.remove";

// What a saved sign-in was made for: tokens for another address, client or token endpoint are not
// this account's any more.
bool same_sign_in(const accounts::Account& a, const accounts::Account& b) {
  return a.auth == b.auth && a.email == b.email && a.oauth.client_id == b.oauth.client_id &&
         a.oauth.token_url == b.oauth.token_url;
}

}  // namespace

Result<void> check_account_files(const accounts::Account& a) {
  if (!a.ca_file || a.ca_file->empty()) return {};
  const std::filesystem::path file(*a.ca_file);
  std::error_code ec;
  const auto status = std::filesystem::status(file, ec);
  if (ec || !std::filesystem::exists(status))
    return fail("accounts.invalid", "the CA file " + *a.ca_file + " does not exist");
  if (!std::filesystem::is_regular_file(status))
    return fail("accounts.invalid", "the CA file " + *a.ca_file + " is not a file");
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail("accounts.invalid", "the CA file " + *a.ca_file + " cannot be read: " + std::strerror(errno));
  char head[64] = {};
  in.read(head, sizeof head - 1);
  if (std::string_view(head).find("-----BEGIN") == std::string_view::npos)
    return fail("accounts.invalid", "the CA file " + *a.ca_file + " is not a PEM certificate file");
  return {};
}

Result<void> discover_endpoints(accounts::Account& a, net::Transcript* transcript) {
  auto& o = a.oauth;
  if (a.auth != accounts::AuthMethod::oauth2 || o.issuer.empty() ||
      (!o.authorize_url.empty() && !o.token_url.empty() && !o.userinfo_url.empty()))
    return {};
  oauth::ClientConfig base;
  base.authorize_url = o.authorize_url;
  base.token_url = o.token_url;
  base.device_url = o.device_url;
  base.revoke_url = o.revoke_url;
  base.userinfo_url = o.userinfo_url;
  base.http.ca_file = a.ca_file;
  base.http.timeout_s = a.timeout_s;
  base.http.verify_tls = a.verify_tls;
  auto found = oauth::discover(o.issuer, base, transcript);
  if (!found) return found.failure();
  o.authorize_url = found.value().authorize_url;
  o.token_url = found.value().token_url;
  o.device_url = found.value().device_url;
  o.revoke_url = found.value().revoke_url;
  o.userinfo_url = found.value().userinfo_url;
  return {};
}

Result<EditOutcome> edit_account(store::Database& db, const vault::Vault& vault, const AccountEdit& edit) {
  auto before = accounts::load_account(db, edit.account.name);
  if (!before) return before.failure();
  accounts::Account updated = edit.account;
  updated.provider = before.value().provider;  // another provider is another account
  if (auto r = accounts::validate(updated); !r) return r.failure();
  if (auto r = check_account_files(updated); !r) return r.failure();
  if (edit.password && updated.auth != accounts::AuthMethod::password)
    return fail("accounts.invalid", "a password is only kept for accounts that sign in with a password");
  EditOutcome out;
  out.tokens_forgotten = !same_sign_in(before.value(), updated);
  try {
    store::Transaction tx(db);
    if (auto r = accounts::update_account(db, updated); !r) return r.failure();
    if (edit.password)
      if (auto r = vault::put_secret(db, vault, updated.name, "password", *edit.password); !r) return r.failure();
    if (edit.client_secret)
      if (auto r = vault::put_secret(db, vault, updated.name, "client_secret", *edit.client_secret); !r)
        return r.failure();
    if (out.tokens_forgotten)
      if (auto r = tokens::forget_tokens(db, updated.name); !r) return r.failure();
    // An account that now signs in with OAuth keeps no password.
    if (updated.auth == accounts::AuthMethod::oauth2)
      if (auto r = vault::delete_secret(db, updated.name, "password"); !r) return r.failure();
    tx.commit();
  } catch (const store::Error& e) {
    return store::to_failure(e);
  }
  auto saved = accounts::load_account(db, updated.name);
  if (!saved) return saved.failure();
  out.account = std::move(saved).value();
  return out;
}

SyncFootprint sync_footprint(store::Database& db, std::string_view account) {
  SyncFootprint f;
  auto st = db.prepare(
      "SELECT (SELECT coalesce(max(last_uid), 0) FROM mailbox_state WHERE account = ?1), "
      "(SELECT count(*) FROM pop3_seen WHERE account = ?1), (SELECT count(*) FROM messages WHERE account = ?1)");
  st.bind(1, account);
  if (st.step()) {
    f.last_uid = st.column_int(0);
    f.pop3_uidls = st.column_int(1);
    f.stored_messages = st.column_int(2);
  }
  return f;
}

Result<RemoveOutcome> remove_account(store::Database& db, const vault::Vault* vault, const std::string& name,
                                     const std::optional<admin::AdminSession>& admin, net::Transcript* transcript,
                                     admin::Clock::time_point now) {
  auto account = accounts::load_account(db, name);
  if (!account) return account.failure();
  RemoveOutcome out;
  try {
    out.forgotten = sync_footprint(db, name);
  } catch (const store::Error& e) {
    return store::to_failure(e);
  }
  if (!out.forgotten.empty() && !admin)
    return fail("admin.not_authorized",
                "removing '" + name + "' forgets its download counter (last UID " +
                    std::to_string(out.forgotten.last_uid) + ", " + std::to_string(out.forgotten.stored_messages) +
                    " stored message(s)), so the mailbox would be downloaded again: that is a counter reset, and "
                    "only an admin may do it");

  // Revoke at the provider first, so the grant does not outlive the account here.
  const accounts::Account& a = account.value();
  if (vault != nullptr && a.auth == accounts::AuthMethod::oauth2 && !a.oauth.revoke_url.empty()) {
    auto refresh_token = vault::get_secret(db, *vault, name, "refresh_token");
    auto cfg = tokens::client_config(db, *vault, a);
    if (refresh_token && refresh_token.value() && cfg) {
      auto revoked = oauth::revoke(cfg.value(), *refresh_token.value(), "refresh_token", transcript);
      out.revocation = revoked ? "revoked" : "failed";
      if (!revoked) out.revocation_failure = revoked.failure();
    }
  }
  try {
    store::Transaction tx(db);
    if (auto r = accounts::remove_account(db, name); !r) return r.failure();
    if (admin)
      admin::write_audit(db, admin->user, kActionRemoveAccount, name,
                         {{"old_last_uid", out.forgotten.last_uid},
                          {"pop3_uidls", out.forgotten.pop3_uidls},
                          {"stored_messages", out.forgotten.stored_messages},
                          {"email", a.email}},
                         now);
    tx.commit();
  } catch (const store::Error& e) {
    return store::to_failure(e);
  }
  return out;
}

}  // namespace md::ops
