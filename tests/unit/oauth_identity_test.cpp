// Who signed in and with which scopes: id_token claims (iss, aud, exp, email / preferred_username
// / upn), the userinfo fallback against a fake endpoint, and the identity and scope checks.
#include <doctest/doctest.h>
#include <httplib.h>

#include <thread>

#include "oauth/identity.h"
#include "util/encoding.h"

using namespace md::oauth;
using namespace std::chrono_literals;

namespace {

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));

std::string jwt(const nlohmann::json& claims) {
  return md::util::base64url_encode_unpadded(R"({"alg":"RS256","typ":"JWT"})") + "." +
         md::util::base64url_encode_unpadded(claims.dump()) + ".c2lnbmF0dXJl";
}

ClientConfig cfg() {
  ClientConfig c;
  c.issuer = "https://idp.example.test";
  c.client_id = "client-123";
  c.http.proxy = "";
  c.http.timeout_s = 5;
  return c;
}

TokenSet tokens_with(const nlohmann::json& claims) {
  TokenSet t;
  t.access_token = "at";
  t.id_token = jwt(claims);
  t.obtained_at = kNow;
  return t;
}

nlohmann::json good_claims() {
  return {{"iss", "https://idp.example.test"},
          {"aud", "client-123"},
          {"exp", 1'800'000'000 + 3600},
          {"email", "Alice@Example.test"}};
}

}  // namespace

TEST_CASE("oauth: identity from the id_token's email, preferred_username or upn") {
  auto id = signed_in_identity(cfg(), tokens_with(good_claims()));
  REQUIRE(id.ok());
  CHECK(id.value() == "Alice@Example.test");

  auto ms = good_claims();
  ms.erase("email");
  ms["preferred_username"] = "bob@contoso.test";
  ms["aud"] = nlohmann::json::array({"other", "client-123"});
  CHECK(signed_in_identity(cfg(), tokens_with(ms)).value() == "bob@contoso.test");
  ms.erase("preferred_username");
  ms["upn"] = "carol@contoso.test";
  CHECK(signed_in_identity(cfg(), tokens_with(ms)).value() == "carol@contoso.test");

  // Microsoft's multi-tenant endpoints: no issuer configured, any iss accepted.
  ClientConfig common = cfg();
  common.issuer.clear();
  auto tenant = good_claims();
  tenant["iss"] = "https://login.microsoftonline.com/tenant-id/v2.0";
  CHECK(signed_in_identity(common, tokens_with(tenant)).ok());
}

TEST_CASE("oauth: id_token checks: issuer, audience, expiry, shape") {
  auto c = good_claims();
  c["iss"] = "https://evil.example.test";
  CHECK(signed_in_identity(cfg(), tokens_with(c)).failure().code == "oauth.issuer_mismatch");
  c = good_claims();
  c["aud"] = "someone-else";
  CHECK(signed_in_identity(cfg(), tokens_with(c)).failure().code == "oauth.bad_response");
  c.erase("aud");
  CHECK(signed_in_identity(cfg(), tokens_with(c)).failure().code == "oauth.bad_response");
  c = good_claims();
  c["exp"] = 1'800'000'000 - 3600;  // expired an hour before we got it
  CHECK(signed_in_identity(cfg(), tokens_with(c)).failure().code == "oauth.bad_response");
  c["exp"] = 1'800'000'000 - 60;  // within the clock-skew leeway
  CHECK(signed_in_identity(cfg(), tokens_with(c)).ok());
  // A valid id_token with no address and no userinfo endpoint: its own code, not a proxy's.
  c = good_claims();
  c.erase("email");
  CHECK(signed_in_identity(cfg(), tokens_with(c)).failure().code == "oauth.identity_unknown");

  TokenSet t = tokens_with(good_claims());
  for (const char* broken : {"not-a-jwt", "a.b", "a.!!!.c", "a.b.c.d", "eyJ9.bm90IGpzb24.x"}) {
    t.id_token = broken;
    CHECK_MESSAGE(signed_in_identity(cfg(), t).failure().code == "oauth.bad_response", broken);
  }
  CHECK(decode_jwt_payload(jwt(good_claims())).value()["email"] == "Alice@Example.test");
}

TEST_CASE("oauth: without an id_token the userinfo endpoint names the identity") {
  httplib::Server svr;
  std::string seen_auth;
  svr.Get("/userinfo", [&](const httplib::Request& req, httplib::Response& res) {
    seen_auth = req.get_header_value("Authorization");
    if (seen_auth != "Bearer good-token") {
      res.status = 401;
      return;
    }
    res.set_content(R"({"sub":"1","email":"dave@example.test"})", "application/json");
  });
  int port = svr.bind_to_any_port("127.0.0.1");
  REQUIRE(port > 0);
  std::thread thread([&] { svr.listen_after_bind(); });
  for (int i = 0; i < 2000 && !svr.is_running(); ++i) std::this_thread::sleep_for(1ms);

  ClientConfig c = cfg();
  c.userinfo_url = "http://127.0.0.1:" + std::to_string(port) + "/userinfo";
  TokenSet t;
  t.access_token = "good-token";
  auto id = signed_in_identity(c, t);
  CHECK(seen_auth == "Bearer good-token");
  REQUIRE(id.ok());
  CHECK(id.value() == "dave@example.test");
  // OIDC Core 5.4: the id_token of a code flow may carry only `sub` (oidc-provider's default); the
  // address then comes from UserInfo.
  auto sub_only = good_claims();
  sub_only.erase("email");
  sub_only["sub"] = "1";
  TokenSet with_id = tokens_with(sub_only);
  with_id.access_token = "good-token";
  auto from_userinfo = signed_in_identity(c, with_id);
  REQUIRE_MESSAGE(from_userinfo.ok(), (from_userinfo ? "" : from_userinfo.failure().detail));
  CHECK(from_userinfo.value() == "dave@example.test");
  // A userinfo endpoint that refuses the mail token (Microsoft's Graph with an Outlook token) says
  // which scope to ask for, and blames no proxy.
  with_id.access_token = "bad-token";
  auto refused = signed_in_identity(c, with_id);
  CHECK(refused.failure().code == "oauth.identity_unknown");
  CHECK(refused.failure().detail.find("profile") != std::string::npos);
  t.access_token = "bad-token";
  CHECK(signed_in_identity(c, t).failure().code == "oauth.identity_unknown");
  c.userinfo_url.clear();
  CHECK(signed_in_identity(c, t).failure().code == "oauth.identity_unknown");
  svr.stop();
  thread.join();
}

TEST_CASE("oauth: identity and scope checks") {
  CHECK(check_identity("alice@example.test", "ALICE@Example.TEST").ok());
  auto other = check_identity("alice@example.test", "mallory@example.test");
  REQUIRE_FALSE(other.ok());
  CHECK(other.failure().code == "auth.identity_mismatch");
  CHECK(other.failure().detail.find("alice@example.test") != std::string::npos);
  CHECK(other.failure().detail.find("mallory@example.test") != std::string::npos);

  CHECK(check_scopes({"openid", "https://mail.google.com/"}, "https://mail.google.com/").ok());
  CHECK(check_scopes({"https://outlook.office.com/imap.accessasuser.all"},
                     "https://outlook.office.com/IMAP.AccessAsUser.All")
            .ok());
  auto missing = check_scopes({"openid", "email"}, "https://mail.google.com/");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.failure().code == "auth.scope_missing");
  CHECK(missing.failure().detail.find("https://mail.google.com/") != std::string::npos);
  CHECK(check_scopes({}, "").ok());
  CHECK(check_scopes({}, "mail").failure().code == "auth.scope_missing");
}
