// The loopback redirect listener, driven like a browser (and like a hostile local process) over
// real sockets on 127.0.0.1. Every wait has a bound: the listener's timeout or a socket timeout.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <thread>

#include "../support/fake_server.h"
#include "net/http_client.h"
#include "oauth/loopback_listener.h"
#include "util/encoding.h"

using md::oauth::LoopbackListener;
using namespace std::chrono_literals;

namespace {

const std::string kState = "expected-state-0123456789abcdefghijklmnop";
const std::string kIssuer = "http://127.0.0.1:9/issuer";

std::unique_ptr<LoopbackListener> start(const std::string& issuer = kIssuer) {
  auto l = LoopbackListener::start(kState, issuer);
  REQUIRE(l.ok());
  return std::move(l).value();
}

md::net::HttpOptions opts() {
  md::net::HttpOptions o;
  o.timeout_s = 5;
  o.proxy = "";
  return o;
}

md::Result<md::net::HttpResponse> browse(const LoopbackListener& l, const std::string& path_and_query) {
  return md::net::http_get("http://127.0.0.1:" + std::to_string(l.port()) + path_and_query, {}, opts());
}

std::string q(const std::string& s) {
  return md::util::url_encode(s);
}

// Sends raw bytes and returns what comes back until the server closes (5 s bounds either way).
std::string raw_exchange(int port, const std::string& head, size_t body_bytes = 0) {
  int fd = md::test::connect_to(static_cast<uint16_t>(port));
  REQUIRE(fd >= 0);
  md::test::FakeServer::Peer conn(fd);
  // A failed send is the server that stopped reading and closed: that is the point.
  bool ok = conn.send(head);
  std::string chunk(64 * 1024, 'A');
  for (size_t sent = 0; ok && sent < body_bytes; sent += chunk.size())
    ok = conn.send(std::string_view(chunk).substr(0, std::min(chunk.size(), body_bytes - sent)));
  while (conn.read_some()) {
  }
  md::platform::close_socket(fd);
  return conn.buffer();
}

}  // namespace

TEST_CASE("oauth: listener binds 127.0.0.1 on a random port and hands over the code") {
  auto l = start();
  CHECK(l->port() > 0);
  CHECK(l->redirect_uri() == "http://127.0.0.1:" + std::to_string(l->port()) + "/");
  auto page = browse(*l, "/?code=the-code&state=" + q(kState) + "&iss=" + q(kIssuer));
  REQUIRE(page.ok());
  CHECK(page.value().status == 200);
  CHECK(page.value().content_type.starts_with("text/html"));
  CHECK(page.value().body.find("Signed in. You can close this window.") != std::string::npos);
  CHECK(page.value().body.find("window.close()") != std::string::npos);
  CHECK(page.value().header("Referrer-Policy") == std::optional<std::string>("no-referrer"));
  auto code = l->wait(5s);
  REQUIRE(code.ok());
  CHECK(code.value().code == "the-code");
  CHECK(code.value().iss == std::optional<std::string>(kIssuer));
  // The same outcome again, and nothing listens any more: a second redirect gets nothing.
  CHECK(l->wait(1s).value().code == "the-code");
  auto late = browse(*l, "/?code=other&state=" + q(kState));
  REQUIRE_FALSE(late.ok());
  CHECK(late.failure().code == "tcp.refused");
}

TEST_CASE("oauth: listener ignores a wrong-state redirect (stale tab), then accepts the right one") {
  auto l = start();
  auto stale = browse(*l, "/?code=old-code&state=old-state");
  REQUIRE(stale.ok());
  CHECK(stale.value().status == 400);
  CHECK(stale.value().body.find("oauth.state_mismatch") != std::string::npos);
  CHECK(stale.value().body.find("old-state") == std::string::npos);  // nothing of the request echoed
  auto missing = browse(*l, "/?code=x");
  REQUIRE(missing.ok());
  CHECK(missing.value().status == 400);
  auto twice = browse(*l, "/?code=x&state=" + q(kState) + "&state=other");
  REQUIRE(twice.ok());
  CHECK(twice.value().status == 400);

  auto good = browse(*l, "/?code=new-code&state=" + q(kState));
  REQUIRE(good.ok());
  CHECK(good.value().status == 200);
  auto code = l->wait(5s);
  REQUIRE(code.ok());
  CHECK(code.value().code == "new-code");
}

TEST_CASE("oauth: listener times out with consent_timeout, or state_mismatch after a stale redirect") {
  {
    auto l = start();
    auto start_at = std::chrono::steady_clock::now();
    auto r = l->wait(1s);
    REQUIRE_FALSE(r.ok());
    CHECK(r.failure().code == "oauth.consent_timeout");
    CHECK(std::chrono::steady_clock::now() - start_at < 30s);     // catches a hang, not speed
    CHECK_FALSE(browse(*l, "/?code=x&state=" + q(kState)).ok());  // stopped after the timeout
  }
  {
    auto l = start();
    REQUIRE(browse(*l, "/?code=x&state=wrong").ok());
    auto r = l->wait(1s);
    REQUIRE_FALSE(r.ok());
    CHECK(r.failure().code == "oauth.state_mismatch");
  }
}

TEST_CASE("oauth: listener: iss mismatch, error=access_denied, no code: each ends the wait with its code") {
  {
    auto l = start();
    auto page = browse(*l, "/?code=c&state=" + q(kState) + "&iss=" + q("https://evil.example.test"));
    REQUIRE(page.ok());
    CHECK(page.value().status == 400);
    CHECK(page.value().body.find("oauth.issuer_mismatch") != std::string::npos);
    CHECK(l->wait(5s).failure().code == "oauth.issuer_mismatch");
  }
  {
    auto l = start("");  // no expected issuer (Microsoft common): iss is not checked
    REQUIRE(browse(*l, "/?code=c&state=" + q(kState) + "&iss=" + q("https://login.example.test/t1/v2.0")).ok());
    CHECK(l->wait(5s).ok());
  }
  {
    auto l = start();
    auto page =
        browse(*l, "/?error=access_denied&error_description=" + q("The user <b>declined</b>") + "&state=" + q(kState));
    REQUIRE(page.ok());
    CHECK(page.value().body.find("oauth.access_denied") != std::string::npos);
    CHECK(page.value().body.find("<b>declined") == std::string::npos);  // escaped, not reflected
    CHECK(page.value().body.find("&lt;b&gt;declined") != std::string::npos);
    auto r = l->wait(5s);
    REQUIRE_FALSE(r.ok());
    CHECK(r.failure().code == "oauth.access_denied");
  }
  {
    auto l = start();
    REQUIRE(browse(*l, "/?state=" + q(kState)).ok());
    CHECK(l->wait(5s).failure().code == "oauth.bad_redirect");
  }
}

TEST_CASE("oauth: listener: favicon and other paths 404 and are ignored, POST gets 405") {
  auto l = start();
  auto icon = browse(*l, "/favicon.ico");
  REQUIRE(icon.ok());
  CHECK(icon.value().status == 404);
  auto other = browse(*l, "/callback?code=x&state=" + q(kState));
  REQUIRE(other.ok());
  CHECK(other.value().status == 404);
  auto post = md::net::http_post_form(l->redirect_uri(), {{"code", "x"}, {"state", kState}}, {}, opts());
  REQUIRE(post.ok());
  CHECK(post.value().status == 405);
  REQUIRE(browse(*l, "/?code=finally&state=" + q(kState)).ok());
  auto r = l->wait(5s);
  REQUIRE(r.ok());
  CHECK(r.value().code == "finally");
}

TEST_CASE("oauth: listener refuses 10 MB requests without buffering them, and keeps serving") {
  auto l = start();
  const size_t ten_mb = 10u << 20;
  // A 10 MB body on a POST: refused after the head, the body is never read into memory (it is
  // drained and discarded, so the client sees the answer rather than a reset).
  std::string post = raw_exchange(
      l->port(), "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + std::to_string(ten_mb) + "\r\n\r\n",
      ten_mb);
  CHECK(post.starts_with("HTTP/1.1 405"));
  // A 10 MB request target, and 10 MB of headers: cut off at the 64 KiB cap with a 413.
  std::string target = raw_exchange(l->port(), "GET /?code=" + std::string(ten_mb, 'x'));
  CHECK(target.starts_with("HTTP/1.1 413"));
  std::string headers = "GET /?code=x&state=y HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  while (headers.size() < ten_mb) headers += "X-Filler: " + std::string(1000, 'f') + "\r\n";
  std::string many = raw_exchange(l->port(), headers);
  CHECK(many.starts_with("HTTP/1.1 413"));
  // Garbage instead of HTTP.
  std::string junk =
      raw_exchange(l->port(), std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + "\r\n\r\n");
  CHECK(junk.starts_with("HTTP/1.1 400"));

  REQUIRE(browse(*l, "/?code=still-works&state=" + q(kState)).ok());
  auto r = l->wait(5s);
  REQUIRE(r.ok());
  CHECK(r.value().code == "still-works");
}

TEST_CASE("oauth: listener wait can be cancelled") {
  auto l = start();
  int calls = 0;
  auto r = l->wait(30s, [&] { return ++calls > 2; });
  REQUIRE_FALSE(r.ok());
  CHECK(r.failure().code == "oauth.cancelled");
}

TEST_CASE("oauth: HTML escaping") {
  CHECK(md::oauth::html_escape("<script>alert('x&y')</script>\"") ==
        "&lt;script&gt;alert(&#39;x&amp;y&#39;)&lt;/script&gt;&quot;");
}
