#include "tokens/token_service.h"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>

#include "oauth/token_endpoint.h"
#include "util/text.h"
#include "util/time.h"

namespace md::tokens {
namespace {

using std::chrono::system_clock;

std::optional<system_clock::time_point> parse_time(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  return util::parse_iso8601(*text);
}

Result<void> record_refresh_error(store::Database& db, std::string_view account, const Failure& f) {
  try {
    db.prepare(
          "INSERT INTO token_state (account, last_error) VALUES (?, ?) "
          "ON CONFLICT(account) DO UPDATE SET last_error = excluded.last_error")
        .bind(1, account)
        .bind(2, nlohmann::json{{"code", f.code}, {"detail", f.detail}}.dump())
        .run();
    return {};
  } catch (const store::Error& e) {
    return store::to_failure(e);
  }
}

// One refresh per account at a time in this process. A rotating refresh token spent twice makes the
// provider revoke the whole grant (oidc-provider and Microsoft do), and the window's token sweep, its
// checks and a Refresh now can all want one at once.
struct RefreshGate {
  std::mutex busy;
  std::atomic<unsigned long long> finished{0};  // refreshes attempted so far
};

RefreshGate& refresh_gate(const std::string& account) {
  static std::mutex gates_mutex;
  static std::map<std::string, std::unique_ptr<RefreshGate>> gates;
  std::lock_guard lock(gates_mutex);
  auto& gate = gates[account];
  if (!gate) gate = std::make_unique<RefreshGate>();
  return *gate;
}

}  // namespace

long long TokenStatus::seconds_left(system_clock::time_point now) const {
  if (!expires_at) return 0;
  auto left = std::chrono::duration_cast<std::chrono::seconds>(*expires_at - now).count();
  return left > 0 ? left : 0;
}

Result<oauth::ClientConfig> client_config(const accounts::Account& a, std::optional<std::string> client_secret) {
  if (a.oauth.client_id.empty())
    return fail("oauth.no_client",
                "The account '" + a.name + "' has no OAuth client id. Register a desktop app with " +
                    (a.provider == accounts::Provider::microsoft ? "Microsoft Entra" : "the provider") +
                    " and add it: maildoctor account remove " + a.name + ", then account add ... --client-id ID.");
  oauth::ClientConfig c;
  c.issuer = a.oauth.issuer;
  c.authorize_url = a.oauth.authorize_url;
  c.token_url = a.oauth.token_url;
  c.device_url = a.oauth.device_url;
  c.revoke_url = a.oauth.revoke_url;
  c.userinfo_url = a.oauth.userinfo_url;
  c.client_id = a.oauth.client_id;
  c.scopes = a.oauth.scopes;
  c.mail_scope = a.oauth.mail_scope;
  c.extra_authorize_params = a.oauth.extra_authorize_params;
  c.http.ca_file = a.ca_file;
  c.http.timeout_s = a.timeout_s;
  c.http.verify_tls = a.verify_tls;
  c.client_secret = std::move(client_secret);
  return c;
}

Result<oauth::ClientConfig> client_config(store::Database& db, const vault::Vault& vault, const accounts::Account& a) {
  if (a.oauth.client_id.empty()) return client_config(a, std::nullopt);
  auto secret = vault::get_secret(db, vault, a.name, "client_secret");
  if (!secret) return secret.failure();
  return client_config(a, secret.value());
}

Result<void> save_sign_in(store::Database& db, const vault::Vault& vault, const accounts::Account& a,
                          const oauth::TokenSet& t, const std::string& identity) {
  try {
    store::Transaction tx(db);
    if (auto r = vault::put_secret(db, vault, a.name, "access_token", t.access_token); !r) return r;
    if (t.refresh_token) {
      if (auto r = vault::put_secret(db, vault, a.name, "refresh_token", *t.refresh_token); !r) return r;
    } else if (auto r = vault::delete_secret(db, a.name, "refresh_token"); !r) {
      return r;
    }
    const std::string now = util::format_iso8601(t.obtained_at);
    db.prepare(
          "INSERT INTO token_state (account, expires_at, scopes, identity, refresh_issued_at, last_refresh_at, "
          "last_error) VALUES (?, ?, ?, ?, ?, NULL, NULL) "
          "ON CONFLICT(account) DO UPDATE SET expires_at = excluded.expires_at, scopes = excluded.scopes, "
          "identity = excluded.identity, refresh_issued_at = excluded.refresh_issued_at, last_refresh_at = NULL, "
          "last_error = NULL")
        .bind(1, a.name)
        .bind(2, util::format_iso8601(t.expires_at))
        .bind(3, util::join(t.granted_scopes))
        .bind(4, identity)
        .bind(5, t.refresh_token ? std::optional<std::string>(now) : std::nullopt)
        .run();
    tx.commit();
    return {};
  } catch (const store::Error& e) {
    return store::to_failure(e);
  }
}

Result<TokenStatus> load_status(store::Database& db, std::string_view account) {
  try {
    TokenStatus s;
    auto st = db.prepare(
        "SELECT expires_at, scopes, identity, refresh_issued_at, last_refresh_at, last_error FROM token_state "
        "WHERE account = ?");
    st.bind(1, account);
    if (st.step()) {
      s.expires_at = parse_time(st.column_optional_text(0));
      s.scopes = oauth::split_scopes(st.column_text(1));
      s.identity = st.column_text(2);
      s.refresh_issued_at = parse_time(st.column_optional_text(3));
      s.last_refresh_at = parse_time(st.column_optional_text(4));
      if (auto err = st.column_optional_text(5)) {
        auto j = nlohmann::json::parse(*err, nullptr, false);
        if (j.is_object()) s.last_error = Failure{j.value("code", ""), j.value("detail", "")};
      }
    }
    auto kinds = db.prepare("SELECT kind FROM secrets WHERE account = ? AND kind IN ('access_token', 'refresh_token')");
    kinds.bind(1, account);
    while (kinds.step()) {
      s.signed_in = true;
      if (kinds.column_text(0) == "refresh_token") s.refresh_token_saved = true;
    }
    s.refreshable = s.refresh_token_saved && !s.sign_in_dead();
    return s;
  } catch (const store::Error& e) {
    return store::to_failure(e);
  }
}

Result<FreshToken> fresh_access_token(store::Database& db, const vault::Vault& vault, const accounts::Account& a,
                                      std::chrono::seconds margin, bool force, net::Transcript* transcript) {
  auto status = load_status(db, a.name);
  if (!status) return status.failure();
  if (!status.value().signed_in)
    return fail("oauth.not_signed_in", "The account '" + a.name + "' has not signed in yet.");
  auto access = vault::get_secret(db, vault, a.name, "access_token");
  if (!access) return access.failure();
  const auto now = system_clock::now();
  const bool expiring = !status.value().expires_at || *status.value().expires_at - margin <= now;
  if (access.value() && !expiring && !force) return FreshToken{*access.value(), false};

  RefreshGate& gate = refresh_gate(a.name);
  const unsigned long long seen = gate.finished.load();
  std::lock_guard hold(gate.busy);
  struct CountAttempt {
    RefreshGate& gate;
    ~CountAttempt() { ++gate.finished; }
  } count_attempt{gate};
  if (gate.finished.load() != seen) {
    // Another worker refreshed while this one waited: take its outcome instead of a second refresh.
    auto after = load_status(db, a.name);
    if (!after) return after.failure();
    if (after.value().last_error) return *after.value().last_error;
    auto latest = vault::get_secret(db, vault, a.name, "access_token");
    if (!latest) return latest.failure();
    if (latest.value()) return FreshToken{*latest.value(), true};
  }

  auto refresh_token = vault::get_secret(db, vault, a.name, "refresh_token");
  if (!refresh_token) return refresh_token.failure();
  if (!refresh_token.value())
    return fail("oauth.invalid_grant", "The access token has expired and there is no refresh token: sign in again.");
  auto cfg = client_config(db, vault, a);
  if (!cfg) return cfg.failure();
  auto fresh = oauth::refresh(cfg.value(), *refresh_token.value(), transcript);
  if (!fresh) {
    (void)record_refresh_error(db, a.name, fresh.failure());
    return fresh.failure();
  }
  const oauth::TokenSet& t = fresh.value();
  try {
    store::Transaction tx(db);
    if (auto r = vault::put_secret(db, vault, a.name, "access_token", t.access_token); !r) return r.failure();
    const bool rotated = t.refresh_token && *t.refresh_token != *refresh_token.value();
    if (rotated)
      if (auto r = vault::put_secret(db, vault, a.name, "refresh_token", *t.refresh_token); !r) return r.failure();
    const std::string at = util::format_iso8601(t.obtained_at);
    db.prepare(
          "UPDATE token_state SET expires_at = ?, scopes = ?, last_refresh_at = ?, last_error = NULL, "
          "refresh_issued_at = CASE WHEN ? THEN ? ELSE refresh_issued_at END WHERE account = ?")
        .bind(1, util::format_iso8601(t.expires_at))
        .bind(2, util::join(t.granted_scopes.empty() ? status.value().scopes : t.granted_scopes))
        .bind(3, at)
        .bind(4, rotated ? 1 : 0)
        .bind(5, at)
        .bind(6, a.name)
        .run();
    tx.commit();
  } catch (const store::Error& e) {
    return store::to_failure(e);
  }
  return FreshToken{t.access_token, true};
}

Result<void> forget_tokens(store::Database& db, std::string_view account) {
  try {
    store::Transaction tx(db);
    db.prepare("DELETE FROM secrets WHERE account = ? AND kind IN ('access_token', 'refresh_token', 'id_token')")
        .bind(1, account)
        .run();
    db.prepare("DELETE FROM token_state WHERE account = ?").bind(1, account).run();
    tx.commit();
    return {};
  } catch (const store::Error& e) {
    return store::to_failure(e);
  }
}

nlohmann::json to_json(const TokenStatus& s, system_clock::time_point now) {
  using nlohmann::json;
  json j;
  j["signed_in"] = s.signed_in;
  j["expires_at"] = s.expires_at ? json(util::format_iso8601(*s.expires_at)) : json(nullptr);
  j["seconds_left"] = s.seconds_left(now);
  j["expired"] = s.expires_at ? *s.expires_at <= now : true;
  j["scopes"] = s.scopes;
  j["identity"] = s.identity.empty() ? json(nullptr) : json(s.identity);
  j["refresh_token_age_s"] =
      s.refresh_issued_at ? json(std::chrono::duration_cast<std::chrono::seconds>(now - *s.refresh_issued_at).count())
                          : json(nullptr);
  j["refreshable"] = s.refreshable;
  j["refresh_token_saved"] = s.refresh_token_saved;
  j["sign_in_dead"] = s.sign_in_dead();
  j["last_refresh_at"] = s.last_refresh_at ? json(util::format_iso8601(*s.last_refresh_at)) : json(nullptr);
  j["last_error"] = s.last_error ? json{{"code", s.last_error->code}, {"detail", s.last_error->detail}} : json(nullptr);
  return j;
}

}  // namespace md::tokens
