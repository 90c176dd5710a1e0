// An account's tokens against a token endpoint on 127.0.0.1 (httplib): a refresh token the provider
// refuses must turn the sign-in dead (refreshable false, oauth.token red) even while the access token
// still works, and the check ladder must find out by testing the refresh token itself.
#include <doctest/doctest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "accounts/repository.h"
#include "diagnostics/ladder.h"
#include "store/schema.h"
#include "temp_dir.h"
#include "tokens/token_service.h"

using namespace md;
using namespace std::chrono_literals;
using std::chrono::system_clock;

namespace {

// Google's answer to a refresh token that expired or was revoked, as users report it
// (https://github.com/porjo/youtubeuploader/issues/181, the title quotes Google's reply).
const char* kGoogleInvalidGrant =
    R"({"error": "invalid_grant", "error_description": "Token has been expired or revoked."})";

// Rotates refresh tokens as oidc-provider and Microsoft do: each refresh returns a new one, and a
// spent one is refused with invalid_grant.
struct TokenEndpoint {
  httplib::Server svr;
  std::thread thread;
  int port = 0;
  std::atomic<int> refreshes{0};
  std::atomic<bool> refuse{false};
  // When set, a refresh waits (bounded) for a second one to arrive before answering: two refreshes
  // that overlap then both present the same refresh token.
  std::atomic<bool> hold_for_company{false};
  std::mutex m;
  std::condition_variable arrived;
  std::string current_refresh_token = "rt-1";
  int serial = 1;

  TokenEndpoint() {
    svr.Post("/token", [this](const httplib::Request& req, httplib::Response& res) {
      if (req.get_param_value("grant_type") != "refresh_token") {
        res.status = 400;
        return;
      }
      std::unique_lock lock(m);
      const int n = ++refreshes;
      arrived.notify_all();
      if (hold_for_company) arrived.wait_for(lock, 2s, [&] { return refreshes > n; });
      if (refuse || req.get_param_value("refresh_token") != current_refresh_token) {
        res.status = 400;
        res.set_content(kGoogleInvalidGrant, "application/json");
        return;
      }
      ++serial;
      current_refresh_token = "rt-" + std::to_string(serial);
      res.set_content(R"({"access_token":"at-)" + std::to_string(serial) + R"(","refresh_token":")" +
                          current_refresh_token + R"(","token_type":"Bearer","expires_in":3599,"scope":"mail openid"})",
                      "application/json");
    });
    port = svr.bind_to_any_port("127.0.0.1");
    REQUIRE(port > 0);
    thread = std::thread([this] { svr.listen_after_bind(); });
    for (int i = 0; i < 2000 && !svr.is_running(); ++i) std::this_thread::sleep_for(1ms);
    REQUIRE(svr.is_running());
  }
  ~TokenEndpoint() {
    svr.stop();
    thread.join();
  }
};

struct SignedIn {
  test::TempDir dir;
  store::Database db;
  vault::Vault vault = vault::Vault::from_key_for_tests(std::string(32, 'k'));
  accounts::Account account;

  explicit SignedIn(int token_port)
      : db(std::move(store::Database::open(dir.path / "md.db", store::schema()).value())) {
    account.name = "alice";
    account.email = "alice@example.test";
    account.provider = accounts::Provider::custom;
    account.auth = accounts::AuthMethod::oauth2;
    account.oauth.client_id = "client";
    account.oauth.token_url = "http://127.0.0.1:" + std::to_string(token_port) + "/token";
    account.oauth.mail_scope = "mail";
    account.oauth.scopes = {"mail", "openid"};
    account.timeout_s = 30;  // the endpoint may hold a refresh 2 s; a loaded machine adds more
    REQUIRE(accounts::insert_account(db, account));
    oauth::TokenSet t;
    t.access_token = "at-1";
    t.refresh_token = "rt-1";
    t.token_type = "Bearer";
    t.obtained_at = system_clock::now();
    t.expires_at = t.obtained_at + 3600s;  // an hour left: nothing would refresh it on its own
    t.granted_scopes = {"mail", "openid"};
    REQUIRE(tokens::save_sign_in(db, vault, account, t, "alice@example.test"));
  }
};

diagnostics::CheckReport check_oauth(SignedIn& s) {
  diagnostics::LadderInputs in;
  in.db = &s.db;
  in.vault = &s.vault;
  diagnostics::LadderOptions o;
  o.only = {diagnostics::LadderGroup::oauth};
  return diagnostics::run_ladder(s.account, in, o);
}

const diagnostics::StepResult* step(const diagnostics::CheckReport& r, const std::string& id) {
  for (const auto& s : r.steps)
    if (s.id == id) return &s;
  return nullptr;
}

}  // namespace

TEST_CASE("tokens: the ladder tests the refresh token, and keeps what the refresh returns") {
  TokenEndpoint endpoint;
  SignedIn s(endpoint.port);
  auto r = check_oauth(s);
  const auto* tok = step(r, "oauth.token");
  REQUIRE(tok != nullptr);
  CHECK(tok->status == diagnostics::StepStatus::pass);
  CHECK(endpoint.refreshes == 1);
  auto access = vault::get_secret(s.db, s.vault, "alice", "access_token");
  REQUIRE(access);
  REQUIRE(access.value());
  CHECK(*access.value() == "at-2");
  auto refresh = vault::get_secret(s.db, s.vault, "alice", "refresh_token");
  REQUIRE(refresh);
  REQUIRE(refresh.value());
  CHECK(*refresh.value() == "rt-2");  // the rotated one is kept
  auto st = tokens::load_status(s.db, "alice");
  REQUIRE(st);
  CHECK(st.value().refreshable);
  CHECK(st.value().last_refresh_at.has_value());
}

TEST_CASE("tokens: a refused refresh fails oauth.token while the access token still works, and refreshable is false") {
  TokenEndpoint endpoint;
  endpoint.refuse = true;
  SignedIn s(endpoint.port);
  auto r = check_oauth(s);
  const auto* tok = step(r, "oauth.token");
  REQUIRE(tok != nullptr);
  CHECK(tok->status == diagnostics::StepStatus::fail);
  REQUIRE(tok->failure);
  CHECK(tok->failure->code == "oauth.invalid_grant");
  // The provider's own words reach the person.
  std::string evidence;
  for (const auto& e : tok->evidence) evidence += e + "\n";
  CHECK(evidence.find("Token has been expired or revoked.") != std::string::npos);

  auto st = tokens::load_status(s.db, "alice");
  REQUIRE(st);
  CHECK(st.value().seconds_left(system_clock::now()) > 3000);  // the access token still works...
  CHECK(st.value().refresh_token_saved);
  CHECK_FALSE(st.value().refreshable);  // ...but the sign-in is dead
  CHECK(st.value().sign_in_dead());
  const auto j = tokens::to_json(st.value(), system_clock::now());
  CHECK(j["refreshable"] == false);
  CHECK(j["sign_in_dead"] == true);
  CHECK(j["last_error"]["code"] == "oauth.invalid_grant");

  // A new sign-in brings it back.
  oauth::TokenSet t;
  t.access_token = "at-3";
  t.refresh_token = "rt-3";
  t.obtained_at = system_clock::now();
  t.expires_at = t.obtained_at + 3600s;
  t.granted_scopes = {"mail", "openid"};
  REQUIRE(tokens::save_sign_in(s.db, s.vault, s.account, t, "alice@example.test"));
  st = tokens::load_status(s.db, "alice");
  REQUIRE(st);
  CHECK(st.value().refreshable);
  CHECK_FALSE(st.value().sign_in_dead());
}

TEST_CASE("tokens: refreshes of one account from two threads never spend a rotating refresh token twice") {
  TokenEndpoint endpoint;
  endpoint.hold_for_company = true;
  SignedIn first(endpoint.port);
  auto other_db = store::Database::open(first.dir.path / "md.db", store::schema());
  REQUIRE(other_db);
  // Both force a refresh at once. Without the gate both present rt-1 and the second is refused
  // (a real provider would then revoke the whole grant).
  Result<tokens::FreshToken> a = fail("unset", ""), b = fail("unset", "");
  std::thread t1([&] { a = tokens::fresh_access_token(first.db, first.vault, first.account, 300s, true, nullptr); });
  std::thread t2(
      [&] { b = tokens::fresh_access_token(other_db.value(), first.vault, first.account, 300s, true, nullptr); });
  t1.join();
  t2.join();
  CHECK_MESSAGE(a, (a ? "" : a.failure().detail));
  CHECK_MESSAGE(b, (b ? "" : b.failure().detail));
  auto st = tokens::load_status(first.db, "alice");
  REQUIRE(st);
  CHECK_FALSE(st.value().sign_in_dead());
}
