// The browser sign-in end to end, with a fake "browser" (the launcher hook) that follows the
// authorization URL's redirect_uri and a fake token endpoint on 127.0.0.1.
#include <doctest/doctest.h>
#include <httplib.h>

#include <map>
#include <thread>

#include "oauth/consent_flow.h"
#include "oauth/pkce.h"
#include "util/encoding.h"

using namespace md::oauth;
using namespace std::chrono_literals;

namespace {

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

std::multimap<std::string, std::string> query_of(const std::string& url) {
  std::multimap<std::string, std::string> out;
  std::string_view q(url);
  q.remove_prefix(q.find('?') + 1);
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    size_t eq = pair.find('=');
    out.emplace(percent_decode(pair.substr(0, eq)),
                eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1)));
    q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
  }
  return out;
}

std::string one(const std::multimap<std::string, std::string>& q, const std::string& key) {
  REQUIRE(q.count(key) == 1);
  return q.find(key)->second;
}

ClientConfig base_config() {
  ClientConfig c;
  c.issuer = "https://idp.example.test";
  c.authorize_url = "https://idp.example.test/auth";
  c.token_url = "https://idp.example.test/token";
  c.client_id = "client-123";
  c.scopes = {"openid", "email", "https://mail.google.com/"};
  c.extra_authorize_params = {{"access_type", "offline"}, {"prompt", "consent"}};
  c.http.proxy = "";
  c.http.timeout_s = 5;
  return c;
}

}  // namespace

TEST_CASE("oauth: the authorization URL carries every parameter, encoded") {
  ClientConfig c = base_config();
  std::string url = build_authorization_url(c, "http://127.0.0.1:5555/", "st&ate", "chal", "alice@example.test");
  CHECK(url.starts_with("https://idp.example.test/auth?"));
  auto q = query_of(url);
  CHECK(one(q, "response_type") == "code");
  CHECK(one(q, "client_id") == "client-123");
  CHECK(one(q, "redirect_uri") == "http://127.0.0.1:5555/");
  CHECK(one(q, "scope") == "openid email https://mail.google.com/");
  CHECK(one(q, "state") == "st&ate");
  CHECK(one(q, "code_challenge") == "chal");
  CHECK(one(q, "code_challenge_method") == "S256");
  CHECK(one(q, "login_hint") == "alice@example.test");
  CHECK(one(q, "access_type") == "offline");
  CHECK(one(q, "prompt") == "consent");
  CHECK(url.find(' ') == std::string::npos);

  c.authorize_url = "https://login.example.test/t/oauth2/v2.0/authorize?p=B2C_1";
  std::string no_hint = build_authorization_url(c, "http://127.0.0.1:1/", "s", "c", "");
  CHECK(no_hint.starts_with("https://login.example.test/t/oauth2/v2.0/authorize?p=B2C_1&response_type=code"));
  CHECK(query_of(no_hint).count("login_hint") == 0);
}

TEST_CASE("oauth: consent flow: URL shown, browser follows it, code exchanged with the verifier") {
  httplib::Server token;
  std::map<std::string, std::string> form;
  token.Post("/token", [&](const httplib::Request& req, httplib::Response& res) {
    for (const auto& [k, v] : req.params) form[k] = v;
    res.set_content(
        R"({"access_token":"at","token_type":"Bearer","expires_in":3600,"refresh_token":"rt","scope":"openid email https://mail.google.com/"})",
        "application/json");
  });
  int port = token.bind_to_any_port("127.0.0.1");
  REQUIRE(port > 0);
  std::thread thread([&] { token.listen_after_bind(); });
  for (int i = 0; i < 2000 && !token.is_running(); ++i) std::this_thread::sleep_for(1ms);

  ClientConfig c = base_config();
  c.token_url = "http://127.0.0.1:" + std::to_string(port) + "/token";
  std::string shown;
  std::string challenge;
  ConsentOptions o;
  o.timeout = 10s;
  o.login_hint = "alice@example.test";
  o.on_url = [&](const std::string& url) { shown = url; };
  o.launcher = [&](const std::string& url) -> md::Result<void> {
    // The "browser": the provider would show its pages, then redirect back with a code.
    auto q = query_of(url);
    challenge = one(q, "code_challenge");
    md::net::HttpOptions h;
    h.proxy = "";
    h.timeout_s = 5;
    auto back = md::net::http_get(
        one(q, "redirect_uri") + "?code=auth-code&state=" + one(q, "state") + "&iss=" + md::util::url_encode(c.issuer),
        {}, h);
    REQUIRE(back.ok());
    CHECK(back.value().status == 200);
    return {};
  };
  auto tokens = run_consent_flow(c, o);
  token.stop();
  thread.join();

  REQUIRE_MESSAGE(tokens.ok(), (tokens.ok() ? "" : tokens.failure().detail));
  CHECK(tokens.value().access_token == "at");
  CHECK(tokens.value().refresh_token == std::optional<std::string>("rt"));
  CHECK(shown.starts_with("https://idp.example.test/auth?"));
  CHECK(form["code"] == "auth-code");
  CHECK(form["grant_type"] == "authorization_code");
  CHECK(s256_challenge(form["code_verifier"]) == challenge);  // the verifier matches the challenge sent
  CHECK(form["redirect_uri"] == one(query_of(shown), "redirect_uri"));
}

TEST_CASE("oauth: consent flow: a browser that fails to start is reported, the wait still bounds") {
  ClientConfig c = base_config();
  ConsentOptions o;
  o.timeout = 1s;
  std::optional<md::Failure> browser_failure;
  bool url_shown = false;
  o.on_url = [&](const std::string&) { url_shown = true; };
  o.on_browser_failed = [&](const md::Failure& f) { browser_failure = f; };
  o.browser = "/nonexistent/maildoctor-browser";
  auto r = run_consent_flow(c, o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.failure().code == "oauth.consent_timeout");
  CHECK(url_shown);
  REQUIRE(browser_failure.has_value());
  CHECK(browser_failure->code == "oauth.browser_failed");
}

TEST_CASE("oauth: consent flow needs a client id and endpoints, a denial comes back as access_denied") {
  ClientConfig c = base_config();
  c.client_id.clear();
  CHECK(run_consent_flow(c, {}).failure().code == "oauth.no_client");
  c = base_config();
  c.token_url.clear();
  CHECK(run_consent_flow(c, {}).failure().code == "accounts.invalid");

  c = base_config();
  ConsentOptions o;
  o.timeout = 10s;
  o.launcher = [](const std::string& url) -> md::Result<void> {
    auto q = query_of(url);
    md::net::HttpOptions h;
    h.proxy = "";
    (void)md::net::http_get(one(q, "redirect_uri") + "?error=access_denied&state=" + one(q, "state"), {}, h);
    return {};
  };
  CHECK(run_consent_flow(c, o).failure().code == "oauth.access_denied");
}
