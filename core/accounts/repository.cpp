#include "accounts/repository.h"

#include <chrono>
#include <climits>
#include <cmath>
#include <stdexcept>

#include "util/time.h"

namespace md::accounts {
namespace {

using nlohmann::json;

json endpoint_json(const ServerEndpoint& e) {
  if (!e.enabled) return nullptr;
  return {{"host", e.host}, {"port", e.port}, {"security", to_string(e.security)}};
}

// A whole number in int's range. nlohmann's get<int>() casts a number such as 1e100 or 3e9 with
// undefined behaviour, and a settings document is not always our own writing (a restored or edited
// data dir): anything else is malformed, like a value of the wrong type.
int int_value(const json& j, const char* key) {
  if (j.is_number_unsigned() && j.get<uint64_t>() <= uint64_t{INT_MAX}) return static_cast<int>(j.get<uint64_t>());
  if (j.is_number_integer() && !j.is_number_unsigned() && j.get<int64_t>() >= INT_MIN && j.get<int64_t>() <= INT_MAX)
    return static_cast<int>(j.get<int64_t>());
  if (j.is_number_float()) {
    double d = j.get<double>();
    if (d >= INT_MIN && d <= INT_MAX && d == std::floor(d)) return static_cast<int>(d);
  }
  throw std::invalid_argument(std::string("`") + key + "` is not a whole number in range");
}

ServerEndpoint endpoint_from(const json& j) {
  ServerEndpoint e;
  if (!j.is_object()) return e;
  e.enabled = true;
  e.host = j.at("host").get<std::string>();
  e.port = int_value(j.at("port"), "port");
  e.security = parse_security(j.at("security").get<std::string>()).value_or(Security::tls);
  return e;
}

std::string now_iso() {
  return util::format_iso8601(std::chrono::system_clock::now());
}

Account read_row(store::Statement& st) {
  auto parsed = from_json(json::parse(st.column_text(4)));
  if (!parsed) throw store::Error(0, "account '" + st.column_text(0) + "': " + parsed.failure().detail);
  Account a = std::move(parsed).value();
  a.name = st.column_text(0);
  a.email = st.column_text(1);
  a.provider = parse_provider(st.column_text(2)).value_or(Provider::custom);
  a.auth = parse_auth_method(st.column_text(3)).value_or(AuthMethod::oauth2);
  a.created_at = st.column_text(5);
  a.updated_at = st.column_text(6);
  return a;
}

Failure not_found(std::string_view name) {
  return fail("accounts.not_found", "There is no account named '" + std::string(name) + "'.");
}

}  // namespace

json to_json(const Account& a) {
  json oauth = {{"issuer", a.oauth.issuer},
                {"authorize_url", a.oauth.authorize_url},
                {"token_url", a.oauth.token_url},
                {"device_url", a.oauth.device_url},
                {"revoke_url", a.oauth.revoke_url},
                {"userinfo_url", a.oauth.userinfo_url},
                {"client_id", a.oauth.client_id},
                {"scopes", a.oauth.scopes},
                {"mail_scope", a.oauth.mail_scope},
                {"tenant", a.oauth.tenant},
                {"extra_authorize_params", json::object()}};
  for (const auto& [k, v] : a.oauth.extra_authorize_params) oauth["extra_authorize_params"][k] = v;
  return {{"name", a.name},
          {"email", a.email},
          {"provider", to_string(a.provider)},
          {"auth", to_string(a.auth)},
          {"username", a.username},
          {"imap", endpoint_json(a.imap)},
          {"pop3", endpoint_json(a.pop3)},
          {"smtp", endpoint_json(a.smtp)},
          {"oauth", oauth},
          {"ca_file", a.ca_file ? json(*a.ca_file) : json(nullptr)},
          {"timeout_s", a.timeout_s},
          {"verify_tls", a.verify_tls},
          {"created_at", a.created_at},
          {"updated_at", a.updated_at}};
}

Result<Account> from_json(const json& j) {
  try {
    Account a;
    a.name = j.value("name", "");
    a.email = j.value("email", "");
    a.provider = parse_provider(j.value("provider", "custom")).value_or(Provider::custom);
    a.auth = parse_auth_method(j.value("auth", "oauth2")).value_or(AuthMethod::oauth2);
    a.username = j.value("username", "");
    a.imap = endpoint_from(j.value("imap", json()));
    a.pop3 = endpoint_from(j.value("pop3", json()));
    a.smtp = endpoint_from(j.value("smtp", json()));
    const json& o = j.at("oauth");
    a.oauth.issuer = o.value("issuer", "");
    a.oauth.authorize_url = o.value("authorize_url", "");
    a.oauth.token_url = o.value("token_url", "");
    a.oauth.device_url = o.value("device_url", "");
    a.oauth.revoke_url = o.value("revoke_url", "");
    a.oauth.userinfo_url = o.value("userinfo_url", "");
    a.oauth.client_id = o.value("client_id", "");
    a.oauth.scopes = o.value("scopes", std::vector<std::string>{});
    a.oauth.mail_scope = o.value("mail_scope", "");
    a.oauth.tenant = o.value("tenant", "");
    if (auto it = o.find("extra_authorize_params"); it != o.end() && it->is_object())
      for (const auto& [k, v] : it->items()) a.oauth.extra_authorize_params.emplace_back(k, v.get<std::string>());
    if (j.contains("ca_file") && j["ca_file"].is_string()) a.ca_file = j["ca_file"].get<std::string>();
    if (auto it = j.find("timeout_s"); it != j.end()) a.timeout_s = int_value(*it, "timeout_s");
    a.verify_tls = j.value("verify_tls", true);
    a.created_at = j.value("created_at", "");
    a.updated_at = j.value("updated_at", "");
    return a;
  } catch (const json::exception& e) {
    return fail("accounts.invalid", std::string("the saved account settings are malformed: ") + e.what());
  } catch (const std::invalid_argument& e) {
    return fail("accounts.invalid", std::string("the saved account settings are malformed: ") + e.what());
  }
}

Result<void> insert_account(store::Database& db, Account a) {
  try {
    store::Transaction tx(db);
    auto exists = db.prepare("SELECT 1 FROM accounts WHERE name = ?");
    exists.bind(1, a.name);
    if (exists.step()) return fail("accounts.exists", "An account named '" + a.name + "' already exists.");
    a.created_at = a.updated_at = now_iso();
    db.prepare(
          "INSERT INTO accounts (name, email, provider, auth, settings, created_at, updated_at) "
          "VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(1, a.name)
        .bind(2, a.email)
        .bind(3, to_string(a.provider))
        .bind(4, to_string(a.auth))
        .bind(5, to_json(a).dump())
        .bind(6, a.created_at)
        .bind(7, a.updated_at)
        .run();
    tx.commit();
    return {};
  } catch (const store::Error& e) {
    return store::to_failure(e);
  }
}

Result<void> update_account(store::Database& db, Account a) {
  try {
    a.updated_at = now_iso();
    db.prepare("UPDATE accounts SET email = ?, provider = ?, auth = ?, settings = ?, updated_at = ? WHERE name = ?")
        .bind(1, a.email)
        .bind(2, to_string(a.provider))
        .bind(3, to_string(a.auth))
        .bind(4, to_json(a).dump())
        .bind(5, a.updated_at)
        .bind(6, a.name)
        .run();
    if (db.changes() == 0) return not_found(a.name);
    return {};
  } catch (const store::Error& e) {
    return store::to_failure(e);
  }
}

Result<Account> load_account(store::Database& db, std::string_view name) {
  try {
    auto st =
        db.prepare("SELECT name, email, provider, auth, settings, created_at, updated_at FROM accounts WHERE name = ?");
    st.bind(1, name);
    if (!st.step()) return not_found(name);
    return read_row(st);
  } catch (const store::Error& e) {
    return store::to_failure(e);
  } catch (const nlohmann::json::exception& e) {
    return fail("accounts.invalid", "the saved settings of '" + std::string(name) + "' are malformed: " + e.what());
  }
}

Result<std::vector<Account>> list_accounts(store::Database& db) {
  try {
    std::vector<Account> out;
    auto st =
        db.prepare("SELECT name, email, provider, auth, settings, created_at, updated_at FROM accounts ORDER BY name");
    while (st.step()) out.push_back(read_row(st));
    return out;
  } catch (const store::Error& e) {
    return store::to_failure(e);
  } catch (const nlohmann::json::exception& e) {
    return fail("accounts.invalid", std::string("saved account settings are malformed: ") + e.what());
  }
}

Result<void> remove_account(store::Database& db, std::string_view name) {
  try {
    db.prepare("DELETE FROM accounts WHERE name = ?").bind(1, name).run();
    if (db.changes() == 0) return not_found(name);
    return {};
  } catch (const store::Error& e) {
    return store::to_failure(e);
  }
}

}  // namespace md::accounts
