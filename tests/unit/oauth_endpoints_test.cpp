// Token endpoint, discovery and device grant against small in-process fakes on 127.0.0.1 (one
// handler per test, just enough for the function under test; the real oidc-provider runs in the
// integration tests).
#include <doctest/doctest.h>
#include <httplib.h>

#include <deque>
#include <mutex>
#include <thread>

#include "../support/fake_server.h"
#include "oauth/device_flow.h"
#include "oauth/discovery.h"
#include "oauth/token_endpoint.h"

using namespace md::oauth;
using namespace std::chrono_literals;

namespace {

struct Running {
  httplib::Server svr;
  int port = 0;
  std::thread thread;
  void start() {
    port = svr.bind_to_any_port("127.0.0.1");
    REQUIRE(port > 0);
    thread = std::thread([this] { svr.listen_after_bind(); });
    for (int i = 0; i < 2000 && !svr.is_running(); ++i) std::this_thread::sleep_for(1ms);
    REQUIRE(svr.is_running());
  }
  ~Running() {
    if (thread.joinable()) {
      svr.stop();
      thread.join();
    }
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port) + path; }
};

// A token endpoint that answers from a script, one reply per request, and records the forms.
struct ScriptedEndpoint {
  Running server;
  std::mutex mu;
  std::deque<std::pair<int, std::string>> replies;
  std::vector<httplib::Params> forms;

  explicit ScriptedEndpoint(std::deque<std::pair<int, std::string>> script) : replies(std::move(script)) {
    server.svr.Post("/token", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu);
      forms.push_back(req.params);
      auto [status, body] = replies.empty() ? std::pair<int, std::string>{500, "script exhausted"} : replies.front();
      if (!replies.empty()) replies.pop_front();
      res.status = status;
      res.set_content(body, "application/json");
    });
    server.start();
  }
  ClientConfig config() const {
    ClientConfig c;
    c.issuer = server.url("");
    c.token_url = server.url("/token");
    c.device_url = server.url("/token");  // one script serves both in the device tests
    c.revoke_url = server.url("/token");
    c.client_id = "client-123";
    c.scopes = {"openid", "email", "mail"};
    c.http.timeout_s = 5;
    c.http.proxy = "";
    return c;
  }
  std::string form_value(size_t i, const std::string& key) {
    std::lock_guard lock(mu);
    auto it = forms.at(i).find(key);
    return it == forms.at(i).end() ? "<absent>" : it->second;
  }
};

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));

using md::test::closed_port;

}  // namespace

TEST_CASE("oauth: a good token response is read completely") {
  auto t = parse_token_response(
      200,
      R"({"access_token":"at","token_type":"Bearer","expires_in":3599,"refresh_token":"rt","id_token":"a.b.c","scope":"openid  https://mail.google.com/"})",
      {"requested"}, kNow);
  REQUIRE(t.ok());
  CHECK(t.value().access_token == "at");
  CHECK(t.value().token_type == "Bearer");
  CHECK(t.value().refresh_token == std::optional<std::string>("rt"));
  CHECK(t.value().id_token == std::optional<std::string>("a.b.c"));
  CHECK(t.value().obtained_at == kNow);
  CHECK(t.value().expires_at == kNow + 3599s);
  CHECK(t.value().granted_scopes == std::vector<std::string>{"openid", "https://mail.google.com/"});

  // Omitted scope means "as requested"; omitted expires_in an hour; lower-case bearer is fine.
  auto minimal = parse_token_response(200, R"({"access_token":"at","token_type":"bearer"})", {"a", "b"}, kNow);
  REQUIRE(minimal.ok());
  CHECK(minimal.value().granted_scopes == std::vector<std::string>{"a", "b"});
  CHECK(minimal.value().expires_at == kNow + 3600s);
  CHECK_FALSE(minimal.value().refresh_token);
}

TEST_CASE("oauth: expires_in as a numeric string is read (Entra ID v1, AD FS)") {
  // The shape of the v1 endpoint's answer, token values cut short: expires_in and expires_on are
  // strings there. Source: https://learn.microsoft.com/en-us/azure/active-directory/azuread-dev/v1-protocols-oauth-code
  // ("Successful response").
  auto t = parse_token_response(
      200,
      R"({"access_token":"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIs","token_type":"Bearer",)"
      R"("expires_in":"3600","expires_on":"1388444763","resource":"https://service.contoso.com/",)"
      R"("refresh_token":"AwABAAAAvPM1KaPlrEqdFSBzjqfTGAMxZGUT","scope":"https%3A%2F%2Fgraph.microsoft.com%2Fmail.read"})",
      {"requested"}, kNow);
  REQUIRE_MESSAGE(t.ok(), (t ? "" : t.failure().detail));
  CHECK(t.value().expires_at == kNow + 3600s);
}

TEST_CASE("oauth: token responses with missing or mistyped fields are oauth.bad_response") {
  const char* bad[] = {
      R"({"token_type":"Bearer","expires_in":3600})",
      R"({"access_token":"","token_type":"Bearer"})",
      R"({"access_token":42,"token_type":"Bearer"})",
      R"({"access_token":"at"})",
      R"({"access_token":"at","token_type":"mac"})",
      R"({"access_token":"at","token_type":"Bearer","expires_in":"3600s"})",
      R"({"access_token":"at","token_type":"Bearer","expires_in":"-5"})",
      R"({"access_token":"at","token_type":"Bearer","expires_in":"99999999999"})",
      R"({"access_token":"at","token_type":"Bearer","expires_in":true})",
      R"({"access_token":"at","token_type":"Bearer","expires_in":-5})",
      R"({"access_token":"at","token_type":"Bearer","expires_in":1e300})",
      R"({"access_token":"at","token_type":"Bearer","refresh_token":17})",
      R"({"access_token":"at","token_type":"Bearer","id_token":["x"]})",
      R"({"access_token":"at","token_type":"Bearer","scope":["a"]})",
      "<html><body>Sign in to the Wi-Fi</body></html>",
      "garbage \x01\x02",
      "",
      "[]",
  };
  for (const char* body : bad) {
    auto t = parse_token_response(200, body, {}, kNow);
    REQUIRE_FALSE(t.ok());
    CHECK_MESSAGE(t.failure().code == "oauth.bad_response", body);
  }
  // Deep nesting and a huge document are refused without trouble.
  std::string deep =
      R"({"access_token":"at","token_type":"Bearer","x":)" + std::string(50000, '[') + std::string(50000, ']') + "}";
  CHECK(parse_token_response(200, deep, {}, kNow).failure().code == "oauth.bad_response");
  std::string huge = R"({"access_token":"at","token_type":"Bearer","expires_in":)" + std::string(400000, '9') + "}";
  CHECK(parse_token_response(200, huge, {}, kNow).failure().code == "oauth.bad_response");
  // A real token in a wrong-shaped answer is masked in the detail; the rest of the answer is shown.
  for (const char* body : {R"({"access_token":"at-SECRET-1","expires_in":3600})",
                           R"({"access_token":"at-SECRET-1","token_type":"mac","refresh_token":"rt-SECRET-2"})",
                           R"({"access_token":{"value":"at-SECRET-1"},"token_type":"Bearer"})"}) {
    auto t = parse_token_response(200, body, {}, kNow);
    REQUIRE_FALSE(t.ok());
    CHECK(t.failure().code == "oauth.bad_response");
    CHECK_MESSAGE(t.failure().detail.find("SECRET") == std::string::npos, t.failure().detail);
    CHECK(t.failure().detail.find("access_token") != std::string::npos);
  }
  // An error object, even with a 200, is an error.
  CHECK(parse_token_response(200, R"({"error":"invalid_grant"})", {}, kNow).failure().code == "oauth.invalid_grant");
  CHECK(parse_token_response(400, R"({"error":"invalid_client"})", {}, kNow).failure().code == "oauth.invalid_client");
}

TEST_CASE("oauth: exchange_code posts the code, verifier, redirect URI and client_secret_post") {
  ScriptedEndpoint ep({{200, R"({"access_token":"at","token_type":"Bearer","expires_in":60,"refresh_token":"rt1"})"}});
  ClientConfig cfg = ep.config();
  cfg.client_secret = "not-so-secret";
  auto t = exchange_code(cfg, "the-code", "the-verifier", "http://127.0.0.1:4242/");
  REQUIRE(t.ok());
  CHECK(t.value().refresh_token == std::optional<std::string>("rt1"));
  CHECK(t.value().granted_scopes == cfg.scopes);
  CHECK(ep.form_value(0, "grant_type") == "authorization_code");
  CHECK(ep.form_value(0, "code") == "the-code");
  CHECK(ep.form_value(0, "code_verifier") == "the-verifier");
  CHECK(ep.form_value(0, "redirect_uri") == "http://127.0.0.1:4242/");
  CHECK(ep.form_value(0, "client_id") == "client-123");
  CHECK(ep.form_value(0, "client_secret") == "not-so-secret");

  ScriptedEndpoint pub({{200, R"({"access_token":"at","token_type":"Bearer"})"}});
  REQUIRE(exchange_code(pub.config(), "c", "v", "http://127.0.0.1:1/").ok());
  CHECK(pub.form_value(0, "client_secret") == "<absent>");  // a public client sends no secret
}

TEST_CASE("oauth: refresh takes a rotated refresh token and keeps the old one otherwise") {
  ScriptedEndpoint ep({{200, R"({"access_token":"at2","token_type":"Bearer","refresh_token":"rt-new"})"},
                       {200, R"({"access_token":"at3","token_type":"Bearer","expires_in":3600})"},
                       {400, R"({"error":"invalid_grant","error_description":"grant request is invalid"})"}});
  auto rotated = refresh(ep.config(), "rt-old");
  REQUIRE(rotated.ok());
  CHECK(rotated.value().access_token == "at2");
  CHECK(rotated.value().refresh_token == std::optional<std::string>("rt-new"));
  CHECK(ep.form_value(0, "grant_type") == "refresh_token");
  CHECK(ep.form_value(0, "refresh_token") == "rt-old");

  auto kept = refresh(ep.config(), "rt-new");
  REQUIRE(kept.ok());
  CHECK(kept.value().refresh_token == std::optional<std::string>("rt-new"));

  auto dead = refresh(ep.config(), "rt-old");
  REQUIRE_FALSE(dead.ok());
  CHECK(dead.failure().code == "oauth.invalid_grant");
  CHECK(refresh(ep.config(), "").failure().code == "oauth.not_signed_in");
}

TEST_CASE("oauth: revoke sends the token and hint, errors are mapped") {
  ScriptedEndpoint ep({{200, ""}, {400, R"({"error":"unsupported_token_type"})"}});
  CHECK(revoke(ep.config(), "rt", "refresh_token").ok());
  CHECK(ep.form_value(0, "token") == "rt");
  CHECK(ep.form_value(0, "token_type_hint") == "refresh_token");
  CHECK(revoke(ep.config(), "rt", "").failure().code == "oauth.invalid_request");
  ClientConfig none = ep.config();
  none.revoke_url.clear();
  CHECK(revoke(none, "rt", "").failure().code == "accounts.invalid");
}

TEST_CASE("oauth: an unreachable token endpoint is oauth.endpoint_unreachable, keeping the network code") {
  ClientConfig cfg;
  cfg.client_id = "c";
  cfg.token_url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/token";
  cfg.http.timeout_s = 5;
  cfg.http.proxy = "";
  auto t = refresh(cfg, "rt");
  REQUIRE_FALSE(t.ok());
  CHECK(t.failure().code == "oauth.endpoint_unreachable");
  CHECK(t.failure().detail.starts_with("tcp.refused: "));
}

TEST_CASE("oauth: an oversized token answer is oauth.bad_response") {
  Running server;
  server.svr.Post("/token", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(3 << 20, ' '), "application/json");
  });
  server.start();
  ClientConfig cfg;
  cfg.client_id = "c";
  cfg.token_url = server.url("/token");
  cfg.http.proxy = "";
  auto t = exchange_code(cfg, "c", "v", "http://127.0.0.1:1/");
  REQUIRE_FALSE(t.ok());
  CHECK(t.failure().code == "oauth.bad_response");
  CHECK(t.failure().detail.starts_with("http.response_too_large"));
}

TEST_CASE("oauth: discovery fills endpoints and checks the issuer") {
  Running server;
  std::string doc_body;
  int status = 200;
  std::string content_type = "application/json";
  server.svr.Get("/.well-known/openid-configuration", [&](const httplib::Request&, httplib::Response& res) {
    res.status = status;
    res.set_content(doc_body, content_type);
  });
  server.start();
  const std::string issuer = server.url("");
  auto doc = [&](const std::string& iss) {
    return R"({"issuer":")" + iss + R"(","authorization_endpoint":")" + issuer + R"(/auth","token_endpoint":")" +
           issuer + R"(/token","device_authorization_endpoint":")" + issuer + R"(/device","revocation_endpoint":")" +
           issuer + R"(/revoke","userinfo_endpoint":")" + issuer + R"(/me"})";
  };
  ClientConfig base;
  base.client_id = "c";
  base.http.proxy = "";

  doc_body = doc(issuer);
  auto cfg = discover(issuer, base);
  REQUIRE_MESSAGE(cfg.ok(), (cfg.ok() ? "" : cfg.failure().detail));
  CHECK(cfg.value().issuer == issuer);
  CHECK(cfg.value().authorize_url == issuer + "/auth");
  CHECK(cfg.value().token_url == issuer + "/token");
  CHECK(cfg.value().device_url == issuer + "/device");
  CHECK(cfg.value().revoke_url == issuer + "/revoke");
  CHECK(cfg.value().userinfo_url == issuer + "/me");
  CHECK(cfg.value().client_id == "c");

  // An issuer with a trailing slash finds the same document, but must match the document exactly.
  CHECK(discovery_url(issuer + "/") == issuer + "/.well-known/openid-configuration");
  CHECK(discover(issuer + "/", base).failure().code == "oauth.discovery_invalid");

  // Explicit endpoints win.
  ClientConfig explicit_token = base;
  explicit_token.token_url = "https://override.example.test/token";
  CHECK(discover(issuer, explicit_token).value().token_url == "https://override.example.test/token");

  doc_body = doc("https://evil.example.test");
  auto other = discover(issuer, base);
  REQUIRE_FALSE(other.ok());
  CHECK(other.failure().code == "oauth.discovery_invalid");
  CHECK(other.failure().detail.find("evil.example.test") != std::string::npos);

  doc_body = R"({"issuer":")" + issuer + R"(","authorization_endpoint":")" + issuer + R"(/auth"})";
  CHECK(discover(issuer, base).failure().detail.find("token_endpoint") != std::string::npos);
  doc_body = R"({"issuer":")" + issuer + R"(","authorization_endpoint":")" + issuer + R"(/auth","token_endpoint":42})";
  CHECK(discover(issuer, base).failure().code == "oauth.discovery_invalid");
  doc_body = R"({"issuer":")" + issuer +
             R"(","authorization_endpoint":"http://evil.example.test/auth","token_endpoint":")" + issuer +
             R"(/token"})";
  CHECK(discover(issuer, base).failure().code == "oauth.discovery_invalid");  // plain http off loopback

  content_type = "text/html";
  doc_body = "<html><body>Captive portal</body></html>";
  auto html = discover(issuer, base);
  CHECK(html.failure().code == "oauth.discovery_invalid");
  CHECK(html.failure().detail.find("HTML") != std::string::npos);
  doc_body = "not json";
  CHECK(discover(issuer, base).failure().code == "oauth.discovery_invalid");
  status = 404;
  CHECK(discover(issuer, base).failure().detail.find("404") != std::string::npos);

  CHECK(discover("http://idp.example.test", base).failure().code == "oauth.discovery_invalid");
  auto down = discover("http://127.0.0.1:" + std::to_string(closed_port()), base);
  CHECK(down.failure().code == "oauth.endpoint_unreachable");
}

TEST_CASE("oauth: device flow start reads Microsoft's and Google's answers") {
  ScriptedEndpoint ms(
      {{200,
        R"({"user_code":"ABCD-EFGH","device_code":"dc","verification_uri":"https://microsoft.com/devicelogin","expires_in":900,"interval":5,"message":"To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code ABCD-EFGH to authenticate."})"}});
  auto a = start_device(ms.config());
  REQUIRE(a.ok());
  CHECK(a.value().user_code == "ABCD-EFGH");
  CHECK(a.value().device_code == "dc");
  CHECK(a.value().verification_uri == "https://microsoft.com/devicelogin");
  CHECK_FALSE(a.value().verification_uri_complete);
  CHECK(a.value().expires_in == 900s);
  CHECK(a.value().interval == 5s);
  CHECK(a.value().message.has_value());
  CHECK(ms.form_value(0, "scope") == "openid email mail");
  CHECK(ms.form_value(0, "client_id") == "client-123");

  ScriptedEndpoint google(
      {{200,
        R"({"device_code":"dc","user_code":"GQVQ-JKEC","verification_url":"https://www.google.com/device","expires_in":1800})"}});
  auto g = start_device(google.config());
  REQUIRE(g.ok());
  CHECK(g.value().verification_uri == "https://www.google.com/device");
  CHECK(g.value().interval == 5s);  // RFC 8628's default

  ScriptedEndpoint broken(
      {{200, R"({"device_code":"dc","verification_uri":"x","expires_in":600})"},
       {200, R"({"device_code":"dc","user_code":"u","verification_uri":"x","expires_in":"ten minutes"})"},
       {400, R"({"error":"invalid_scope"})"}});
  CHECK(start_device(broken.config()).failure().code == "oauth.bad_response");
  CHECK(start_device(broken.config()).failure().code == "oauth.bad_response");
  CHECK(start_device(broken.config()).failure().code == "oauth.invalid_scope");
}

TEST_CASE("oauth: device flow polls pending, slows down, then succeeds, never faster than the interval") {
  ScriptedEndpoint ep({{400, R"({"error":"authorization_pending"})"},
                       {400, R"({"error":"slow_down"})"},
                       {400, R"({"error":"authorization_pending"})"},
                       {200, R"({"access_token":"at","token_type":"Bearer","expires_in":3600,"refresh_token":"rt"})"}});
  DeviceAuthorization auth;
  auth.device_code = "dc";
  auth.user_code = "UC";
  auth.expires_in = 900s;
  auth.interval = 5s;
  std::vector<std::chrono::seconds> slept;
  auto t = poll_device(
      ep.config(), auth, [] { return false; }, [&](std::chrono::seconds s) { slept.push_back(s); });
  REQUIRE(t.ok());
  CHECK(t.value().access_token == "at");
  CHECK(slept == std::vector<std::chrono::seconds>{5s, 5s, 10s, 10s});
  CHECK(ep.form_value(0, "grant_type") == "urn:ietf:params:oauth:grant-type:device_code");
  CHECK(ep.form_value(0, "device_code") == "dc");
}

TEST_CASE("oauth: device flow ends on denial, expiry, a bad code, its lifetime, or a cancel") {
  DeviceAuthorization auth;
  auth.device_code = "dc";
  auth.user_code = "UC";
  auth.expires_in = 30s;
  auth.interval = 5s;
  auto no_sleep = [](std::chrono::seconds) {};
  auto never = [] { return false; };

  for (auto [error, code] : {std::pair<const char*, const char*>{"access_denied", "oauth.access_denied"},
                             {"authorization_declined", "oauth.access_denied"},
                             {"expired_token", "oauth.device_expired"},
                             {"bad_verification_code", "oauth.invalid_grant"}}) {
    ScriptedEndpoint ep(
        {{400, R"({"error":"authorization_pending"})"}, {400, std::string(R"({"error":")") + error + "\"}"}});
    auto t = poll_device(ep.config(), auth, never, no_sleep);
    REQUIRE_FALSE(t.ok());
    CHECK_MESSAGE(t.failure().code == code, error);
  }

  // Pending forever: gives up when the code's lifetime is used up (30 s / 5 s = 6 polls at most).
  std::deque<std::pair<int, std::string>> pending(20, {400, R"({"error":"authorization_pending"})"});
  ScriptedEndpoint forever(pending);
  std::chrono::seconds total{0};
  auto t = poll_device(forever.config(), auth, never, [&](std::chrono::seconds s) { total += s; });
  REQUIRE_FALSE(t.ok());
  CHECK(t.failure().code == "oauth.device_expired");
  CHECK(total <= 30s);
  CHECK(forever.forms.size() == 6);

  // Cancelled while "sleeping": no further poll.
  ScriptedEndpoint cancel_ep(pending);
  bool cancel = false;
  auto c = poll_device(
      cancel_ep.config(), auth, [&] { return cancel; }, [&](std::chrono::seconds) { cancel = true; });
  REQUIRE_FALSE(c.ok());
  CHECK(c.failure().code == "oauth.cancelled");
  CHECK(cancel_ep.forms.empty());
}
