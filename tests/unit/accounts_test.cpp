#include <doctest/doctest.h>

#include "accounts/account.h"
#include "accounts/presets.h"
#include "accounts/repository.h"
#include "store/schema.h"

using namespace md::accounts;

namespace {

Account gmail_account(const std::string& name = "alice") {
  Account a;
  a.name = name;
  a.email = "alice@gmail.com";
  a.provider = Provider::gmail;
  apply_preset(a);
  return a;
}

}  // namespace

TEST_CASE("accounts: the Gmail preset is Google's real hosts, endpoints and scope") {
  Account a = gmail_account();
  CHECK(a.imap.host == "imap.gmail.com");
  CHECK(a.imap.port == 993);
  CHECK(a.pop3.host == "pop.gmail.com");
  CHECK(a.pop3.port == 995);
  CHECK(a.smtp.host == "smtp.gmail.com");
  CHECK(a.smtp.port == 465);
  CHECK(a.smtp.security == Security::tls);
  CHECK(a.oauth.authorize_url == "https://accounts.google.com/o/oauth2/auth");
  CHECK(a.oauth.token_url == "https://oauth2.googleapis.com/token");
  CHECK(a.oauth.mail_scope == "https://mail.google.com/");
  CHECK(a.oauth.client_id.empty());  // no client id is shipped
  bool offline = false;
  for (auto& [k, v] : a.oauth.extra_authorize_params) offline |= k == "access_type" && v == "offline";
  CHECK(offline);
  CHECK(validate(a).ok());
}

TEST_CASE("accounts: the Microsoft preset uses the tenant and SMTP STARTTLS on 587") {
  Account a;
  a.name = "bob";
  a.email = "bob@contoso.com";
  a.provider = Provider::microsoft;
  apply_preset(a, "organizations");
  CHECK(a.oauth.authorize_url == "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize");
  CHECK(a.oauth.token_url == "https://login.microsoftonline.com/organizations/oauth2/v2.0/token");
  CHECK(a.oauth.device_url == "https://login.microsoftonline.com/organizations/oauth2/v2.0/devicecode");
  CHECK(a.smtp.host == "smtp.office365.com");
  CHECK(a.smtp.port == 587);
  CHECK(a.smtp.security == Security::starttls);
  CHECK(a.imap.host == "outlook.office365.com");
  CHECK(std::find(a.oauth.scopes.begin(), a.oauth.scopes.end(), "offline_access") != a.oauth.scopes.end());
  Account c = a;
  apply_preset(c);
  CHECK(c.oauth.tenant == "common");
}

TEST_CASE("accounts: host:port parsing") {
  auto r = parse_host_port("imap.example.test:993", "--imap");
  REQUIRE(r.ok());
  CHECK(r.value().first == "imap.example.test");
  CHECK(r.value().second == 993);
  r = parse_host_port("[::1]:143", "--imap");
  REQUIRE(r.ok());
  CHECK(r.value().first == "::1");
  for (const char* bad :
       {"host", "host:", ":993", "host:0", "host:65536", "host:99x", "::1:143", "a b:1", "[::1]143"}) {
    auto f = parse_host_port(bad, "--imap");
    CHECK_MESSAGE(!f.ok(), bad);
    if (!f.ok()) CHECK(f.failure().code == "accounts.invalid");
  }
}

TEST_CASE("accounts: validation names the broken setting") {
  Account a = gmail_account();
  a.email = "not-an-address";
  CHECK(validate(a).failure().detail.find("--email") != std::string::npos);
  a = gmail_account("../etc");
  CHECK_FALSE(validate(a).ok());
  a = gmail_account();
  a.oauth.token_url = "http://evil.example/token";  // http only on loopback
  CHECK(validate(a).failure().detail.find("--token-url") != std::string::npos);
  a.oauth.token_url = "http://127.0.0.1:9/token";
  CHECK(validate(a).ok());
  a.imap.enabled = a.pop3.enabled = a.smtp.enabled = false;
  CHECK_FALSE(validate(a).ok());
  a = gmail_account();
  a.timeout_s = 0;
  CHECK_FALSE(validate(a).ok());
  Account p;
  p.name = "pw";
  p.email = "u@example.test";
  p.auth = AuthMethod::password;
  p.imap = {true, "127.0.0.1", 993, Security::tls};
  CHECK(validate(p).ok());  // no OAuth endpoints needed for a password account
}

TEST_CASE("accounts: store round trip, duplicates refused, remove cascades") {
  auto db = md::store::Database::open_in_memory(md::store::schema());
  REQUIRE(db.ok());
  Account a = gmail_account();
  a.oauth.client_id = "123.apps.googleusercontent.com";
  a.ca_file = "/etc/ca.pem";
  REQUIRE(insert_account(db.value(), a).ok());
  auto dup = insert_account(db.value(), a);
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.failure().code == "accounts.exists");

  auto back = load_account(db.value(), "alice");
  REQUIRE(back.ok());
  CHECK(back.value().email == a.email);
  CHECK(back.value().provider == Provider::gmail);
  CHECK(back.value().imap.host == "imap.gmail.com");
  CHECK(back.value().oauth.client_id == a.oauth.client_id);
  CHECK(back.value().oauth.extra_authorize_params == a.oauth.extra_authorize_params);
  CHECK(back.value().ca_file == a.ca_file);
  CHECK_FALSE(back.value().created_at.empty());

  db.value()
      .prepare("INSERT INTO secrets (account, kind, sealed, updated_at) VALUES ('alice', 'password', x'00', 'now')")
      .run();
  REQUIRE(remove_account(db.value(), "alice").ok());
  auto left = db.value().prepare("SELECT count(*) FROM secrets");
  left.step();
  CHECK(left.column_int(0) == 0);
  CHECK(load_account(db.value(), "alice").failure().code == "accounts.not_found");
  CHECK(remove_account(db.value(), "alice").failure().code == "accounts.not_found");
}

TEST_CASE("accounts: malformed saved settings give accounts.invalid, not a crash") {
  CHECK(from_json(nlohmann::json::parse(R"({"name": "x"})")).failure().code == "accounts.invalid");
  CHECK(from_json(nlohmann::json::parse(R"({"oauth": {"scopes": 5}})")).failure().code == "accounts.invalid");
}

TEST_CASE("accounts: bytes that are not UTF-8 in any setting are accounts.invalid, not a crash on save") {
  Account a;
  a.name = "x";
  a.email = "a@example.com";
  a.provider = Provider::custom;
  a.auth = AuthMethod::password;
  a.imap = {true, "imap.example.com", 993, Security::tls};
  REQUIRE(validate(a));
  const std::vector<void (*)(Account&)> spoil = {
      [](Account& b) { b.email = "a\xff@example.com"; }, [](Account& b) { b.imap.host = "imap\xfe.example.com"; },
      [](Account& b) { b.username = "\xc3"; },           [](Account& b) { b.ca_file = std::string("/tmp/\xfe.pem"); },
      [](Account& b) { b.oauth.scopes = {"mail\x80"}; },
  };
  for (auto change : spoil) {
    Account bad = a;
    change(bad);
    auto r = validate(bad);
    REQUIRE_FALSE(r);
    CHECK(r.failure().code == "accounts.invalid");
  }
}
