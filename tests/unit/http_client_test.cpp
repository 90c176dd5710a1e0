// The libcurl client against servers on 127.0.0.1 only: plain and TLS httplib servers, a closed
// port, a socket that never answers, a fake proxy. Every wait is bounded by the client's timeout.
#include <curl/curl.h>
#include <doctest/doctest.h>
#include <httplib.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "../support/fake_server.h"
#include "temp_dir.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <thread>

#include "net/http_client.h"
#include "net/transport_failure.h"

using md::net::HttpOptions;
using md::protolog::Direction;

namespace {

// An httplib server (plain or TLS) on a random 127.0.0.1 port, running until destroyed.
template <class Server = httplib::Server>
struct Running {
  Server& svr;
  int port = 0;
  std::thread thread;
  explicit Running(Server& s) : svr(s) {
    port = svr.bind_to_any_port("127.0.0.1");
    REQUIRE(port > 0);
    thread = std::thread([this] { svr.listen_after_bind(); });
    for (int i = 0; i < 2000 && !svr.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    REQUIRE(svr.is_running());
  }
  ~Running() {
    svr.stop();
    thread.join();
  }
  std::string url(const std::string& path, const char* scheme = "http") const {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(port) + path;
  }
};

struct RecordingTranscript : md::net::Transcript {
  std::vector<std::pair<Direction, std::string>> lines;
  std::vector<std::string> protocols;
  void line(std::string_view protocol, Direction d, std::string_view text) override {
    protocols.emplace_back(protocol);
    lines.emplace_back(d, std::string(text));
  }
  std::string all() const {
    std::string out;
    for (const auto& [d, t] : lines) out += t + "\n";
    return out;
  }
};

HttpOptions local_opts(long timeout = 5) {
  HttpOptions o;
  o.timeout_s = timeout;
  o.proxy = "";  // never through a proxy from the environment
  return o;
}

using md::test::closed_port;
// A listening socket that never accepts: the kernel completes the handshake, nobody answers.
using SilentListener = md::test::Listener;

// A self-signed certificate (its own CA) written as PEM, with the given SANs and validity window.
struct SelfSigned {
  X509* cert = nullptr;
  EVP_PKEY* key = nullptr;
  std::string pem_path;
  SelfSigned(const std::filesystem::path& dir, const char* san, long not_before_s, long not_after_s) {
    key = EVP_EC_gen("P-256");
    REQUIRE(key != nullptr);
    cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), not_before_s);
    X509_gmtime_adj(X509_getm_notAfter(cert), not_after_s);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("MailDoctor test"), -1,
                               -1, 0);
    X509_set_issuer_name(cert, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair<int, const char*>{NID_subject_alt_name, san},
                              {NID_basic_constraints, "critical,CA:TRUE"},
                              {NID_key_usage, "critical,digitalSignature,keyCertSign"}}) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      REQUIRE(ext != nullptr);
      X509_add_ext(cert, ext, -1);
      X509_EXTENSION_free(ext);
    }
    REQUIRE(X509_sign(cert, key, EVP_sha256()) > 0);
    pem_path = (dir / "ca.pem").string();
    FILE* f = std::fopen(pem_path.c_str(), "w");
    REQUIRE(f != nullptr);
    PEM_write_X509(f, cert);
    std::fclose(f);
  }
  ~SelfSigned() {
    X509_free(cert);
    EVP_PKEY_free(key);
  }
};

constexpr long kDay = 24 * 3600;

// GET / over TLS with a certificate made as asked; returns the client's result.
md::Result<md::net::HttpResponse> tls_get(const char* san, long not_before_s, long not_after_s, bool trust,
                                          bool verify = true) {
  md::test::TempDir dir;
  SelfSigned c(dir.path, san, not_before_s, not_after_s);
  httplib::SSLServer svr(c.cert, c.key);
  REQUIRE(svr.is_valid());
  svr.Get("/", [](const httplib::Request&, httplib::Response& res) { res.set_content("tls ok", "text/plain"); });
  Running<httplib::SSLServer> run(svr);
  HttpOptions o = local_opts();
  if (trust) o.ca_file = c.pem_path;
  o.verify_tls = verify;
  return md::net::http_get(run.url("/", "https"), {}, o);
}

}  // namespace

TEST_CASE("http: GET returns status, content type, body, headers and Date, Authorization never logged") {
  httplib::Server svr;
  svr.Get("/hello", [](const httplib::Request& req, httplib::Response& res) {
    res.set_header("X-Seen-Auth", req.get_header_value("Authorization"));
    res.set_header("Date", "Sun, 29 Nov 2026 10:00:00 GMT");
    res.set_content(R"({"ok":true,"access_token":"tok-in-body"})", "application/json");
  });
  Running run(svr);
  RecordingTranscript t;
  auto r = md::net::http_get(
      run.url("/hello"), {{"Authorization", "Bearer sekrit-access"}, {"Accept", "application/json"}}, local_opts(), &t);
  REQUIRE(r.ok());
  CHECK(r.value().status == 200);
  CHECK(r.value().content_type == "application/json");
  CHECK(r.value().body == R"({"ok":true,"access_token":"tok-in-body"})");
  CHECK(r.value().header("x-seen-auth") == std::optional<std::string>("Bearer sekrit-access"));
  CHECK(r.value().date_header == std::optional<std::string>("Sun, 29 Nov 2026 10:00:00 GMT"));
  std::string log = t.all();
  CHECK(log.find("GET " + run.url("/hello")) != std::string::npos);
  CHECK(log.find("Authorization: Bearer <redacted>") != std::string::npos);
  CHECK(log.find("sekrit-access") == std::string::npos);
  for (const auto& p : t.protocols) CHECK(p == "http");
  CHECK(log.find("tok-in-body") == std::string::npos);  // token fields of JSON bodies masked too
  CHECK(log.find("HTTP 200") != std::string::npos);
}

TEST_CASE("http: POST form is URL-encoded, secret form fields are masked in the transcript") {
  httplib::Server svr;
  std::string seen_body, seen_type;
  svr.Post("/token", [&](const httplib::Request& req, httplib::Response& res) {
    seen_body = req.body;
    seen_type = req.get_header_value("Content-Type");
    res.status = 400;
    res.set_content(R"({"error":"invalid_grant"})", "application/json");
  });
  Running run(svr);
  RecordingTranscript t;
  auto r = md::net::http_post_form(run.url("/token"),
                                   {{"grant_type", "authorization_code"},
                                    {"code", "c0de&x=y"},
                                    {"redirect_uri", "http://127.0.0.1:5/"},
                                    {"client_secret", "shh-secret"}},
                                   {}, local_opts(), &t);
  REQUIRE(r.ok());
  CHECK(r.value().status == 400);  // an HTTP error status is an answer, not a transport failure
  CHECK(seen_type == "application/x-www-form-urlencoded");
  CHECK(seen_body ==
        "grant_type=authorization_code&code=c0de%26x%3Dy&redirect_uri=http%3A%2F%2F127.0.0.1%3A5%2F&client_secret=shh-"
        "secret");
  CHECK(t.all().find("code=<redacted>") != std::string::npos);
  CHECK(t.all().find("c0de") == std::string::npos);
  CHECK(t.all().find("shh-secret") == std::string::npos);
}

TEST_CASE("http: hostile bodies (deeply nested JSON, binary) are logged safely or not at all") {
  httplib::Server svr;
  svr.Get("/deep", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(500000, '[') + std::string(500000, ']'), "application/json");
  });
  svr.Get("/binary", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string("\x00\x01\xff\r\x1b[31mred", 10), "application/octet-stream");
  });
  Running run(svr);
  RecordingTranscript t;
  REQUIRE(md::net::http_get(run.url("/deep"), {}, local_opts(), &t).ok());
  CHECK(t.all().find("not logged") != std::string::npos);
  RecordingTranscript b;
  REQUIRE(md::net::http_get(run.url("/binary"), {}, local_opts(), &b).ok());
  CHECK(b.all().find('\x1b') == std::string::npos);
  CHECK(b.all().find('\0') == std::string::npos);
}

TEST_CASE("http: redirects are reported, not followed") {
  httplib::Server svr;
  svr.Get("/moved",
          [](const httplib::Request&, httplib::Response& res) { res.set_redirect("http://127.0.0.1:1/elsewhere"); });
  Running run(svr);
  auto r = md::net::http_get(run.url("/moved"), {}, local_opts());
  REQUIRE(r.ok());
  CHECK(r.value().status == 302);
  CHECK(r.value().header("Location") == std::optional<std::string>("http://127.0.0.1:1/elsewhere"));
}

TEST_CASE("http: a closed port is tcp.refused, naming the host") {
  int port = closed_port();
  auto r = md::net::http_get("http://127.0.0.1:" + std::to_string(port) + "/", {}, local_opts());
  REQUIRE_FALSE(r.ok());
  CHECK(r.failure().code == "tcp.refused");
  CHECK(r.failure().detail.find("127.0.0.1") != std::string::npos);
}

TEST_CASE("http: a server that accepts and never answers is tcp.timeout after the timeout") {
  SilentListener silent;
  auto start = std::chrono::steady_clock::now();
  auto r = md::net::http_get("http://127.0.0.1:" + std::to_string(silent.port()) + "/", {}, local_opts(1));
  auto took = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(r.ok());
  CHECK(r.failure().code == "tcp.timeout");
  CHECK(took < std::chrono::seconds(10));
}

TEST_CASE("http: a body over the limit is http.response_too_large, with or without Content-Length") {
  httplib::Server svr;
  svr.Get("/big", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(2 << 20, 'x'), "text/plain");
  });
  svr.Get("/chunked", [](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("text/plain", [](size_t, httplib::DataSink& sink) {
      std::string block(64 * 1024, 'y');
      for (int i = 0; i < 40; ++i)
        if (!sink.write(block.data(), block.size())) return false;
      sink.done();
      return true;
    });
  });
  Running run(svr);
  auto big = md::net::http_get(run.url("/big"), {}, local_opts());
  REQUIRE_FALSE(big.ok());
  CHECK(big.failure().code == "http.response_too_large");
  auto chunked = md::net::http_get(run.url("/chunked"), {}, local_opts());
  REQUIRE_FALSE(chunked.ok());
  CHECK(chunked.failure().code == "http.response_too_large");
}

TEST_CASE("http: only http and https URLs are fetched") {
  for (const char* url : {"file:///etc/passwd", "ftp://127.0.0.1/", "gopher://127.0.0.1/"}) {
    auto r = md::net::http_get(url, {}, local_opts());
    REQUIRE_FALSE(r.ok());
    CHECK_MESSAGE(r.failure().code == "accounts.invalid", url);
  }
}

TEST_CASE("http: a proxy that is down, or refuses CONNECT, is proxy.failed") {
  HttpOptions o = local_opts(5);
  o.proxy = "http://127.0.0.1:" + std::to_string(closed_port());
  auto down = md::net::http_get("http://127.0.0.1:1/", {}, o);
  REQUIRE_FALSE(down.ok());
  CHECK(down.failure().code == "proxy.failed");

  // A "proxy" that answers every CONNECT with 403.
  md::test::FakeServer proxy([](md::test::FakeServer::Peer& peer) {
    while (peer.buffer().find("\r\n\r\n") == std::string::npos)
      if (!peer.read_some()) return;
    peer.send("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
  });
  o.proxy = "http://127.0.0.1:" + std::to_string(proxy.port());
  auto refused = md::net::http_get("https://mail.example.test/", {}, o);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.failure().code == "proxy.failed");
  CHECK(refused.failure().detail.find("403") != std::string::npos);
}

TEST_CASE("http: TLS with a trusted certificate works, verification problems get their own codes") {
  auto ok = tls_get("IP:127.0.0.1,DNS:localhost", -kDay, 30 * kDay, /*trust=*/true);
  REQUIRE_MESSAGE(ok.ok(), (ok.ok() ? "" : ok.failure().detail));
  CHECK(ok.value().body == "tls ok");

  auto untrusted = tls_get("IP:127.0.0.1", -kDay, 30 * kDay, /*trust=*/false);
  REQUIRE_FALSE(untrusted.ok());
  CHECK(untrusted.failure().code == "tls.cert_untrusted");

  auto expired = tls_get("IP:127.0.0.1", -30 * kDay, -kDay, /*trust=*/true);
  REQUIRE_FALSE(expired.ok());
  CHECK(expired.failure().code == "tls.cert_expired");

  auto future = tls_get("IP:127.0.0.1", kDay, 30 * kDay, /*trust=*/true);
  REQUIRE_FALSE(future.ok());
  CHECK(future.failure().code == "tls.cert_not_yet_valid");

  auto other_name = tls_get("DNS:other.example.test", -kDay, 30 * kDay, /*trust=*/true);
  REQUIRE_FALSE(other_name.ok());
  CHECK_MESSAGE(other_name.failure().code == "tls.hostname_mismatch", other_name.failure().detail);

  auto unverified = tls_get("IP:127.0.0.1", -kDay, 30 * kDay, /*trust=*/false, /*verify=*/false);
  CHECK(unverified.ok());
}

TEST_CASE("http: TLS to a plain-HTTP port is tls.handshake_failed") {
  httplib::Server svr;
  svr.Get("/", [](const httplib::Request&, httplib::Response& res) { res.set_content("plain", "text/plain"); });
  Running run(svr);
  auto r = md::net::http_get(run.url("/", "https"), {}, local_opts());
  REQUIRE_FALSE(r.ok());
  CHECK(r.failure().code == "tls.handshake_failed");
}

TEST_CASE("http: transport failure mapping from structured facts") {
  using md::net::DnsVerdict;
  using md::net::map_transport_failure;
  md::net::TransportFacts f;
  f.host = "imap.example.test";
  f.url = "https://imap.example.test/";
  f.curl_error = "some libcurl words";

  f.curl_code = CURLE_COULDNT_RESOLVE_HOST;
  f.dns = DnsVerdict::not_found;
  CHECK(map_transport_failure(f).code == "dns.not_found");
  f.dns = DnsVerdict::failed;
  CHECK(map_transport_failure(f).code == "dns.failed");
  f.dns = DnsVerdict::resolves_now;
  CHECK(map_transport_failure(f).code == "dns.failed");
  CHECK(map_transport_failure(f).detail.find("imap.example.test") != std::string::npos);
  CHECK(map_transport_failure(f).detail.find("some libcurl words") != std::string::npos);

  f.curl_code = CURLE_COULDNT_CONNECT;
  f.os_errno = ECONNREFUSED;
  CHECK(map_transport_failure(f).code == "tcp.refused");
  f.os_errno = EHOSTUNREACH;
  CHECK(map_transport_failure(f).code == "tcp.unreachable");
  f.os_errno = ENETUNREACH;
  CHECK(map_transport_failure(f).code == "tcp.unreachable");
  f.os_errno = ETIMEDOUT;
  CHECK(map_transport_failure(f).code == "tcp.timeout");
  f.proxy = "http://proxy.example.test:3128";
  CHECK(map_transport_failure(f).code == "proxy.failed");
  f.curl_code = CURLE_COULDNT_RESOLVE_PROXY;
  CHECK(map_transport_failure(f).code == "proxy.failed");
  f.curl_code = CURLE_RECV_ERROR;
  f.proxy_connect_code = 407;
  CHECK(map_transport_failure(f).code == "proxy.failed");
  f.proxy.reset();
  f.proxy_connect_code = 0;
  CHECK(map_transport_failure(f).code == "protocol.connection_lost");

  f.curl_code = CURLE_OPERATION_TIMEDOUT;
  CHECK(map_transport_failure(f).code == "tcp.timeout");

  f.curl_code = CURLE_PEER_FAILED_VERIFICATION;
  f.ssl_verify_result = X509_V_ERR_CERT_HAS_EXPIRED;
  CHECK(map_transport_failure(f).code == "tls.cert_expired");
  f.ssl_verify_result = X509_V_ERR_CERT_NOT_YET_VALID;
  CHECK(map_transport_failure(f).code == "tls.cert_not_yet_valid");
  f.ssl_verify_result = X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT;
  CHECK(map_transport_failure(f).code == "tls.cert_untrusted");
  f.ssl_verify_result = X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
  CHECK(map_transport_failure(f).code == "tls.cert_untrusted");
  f.ssl_verify_result = X509_V_OK;
  CHECK(map_transport_failure(f).code == "tls.hostname_mismatch");
  f.ssl_verify_result = X509_V_ERR_UNSPECIFIED;  // libcurl's initial value, left by its host name check
  CHECK(map_transport_failure(f).code == "tls.hostname_mismatch");
  f.curl_code = CURLE_SSL_CONNECT_ERROR;
  CHECK(map_transport_failure(f).code == "tls.handshake_failed");
  f.curl_code = CURLE_SSL_CACERT_BADFILE;
  f.ca_file = "/nonexistent/ca.pem";
  CHECK(map_transport_failure(f).code == "accounts.invalid");
  CHECK(map_transport_failure(f).detail.find("/nonexistent/ca.pem") != std::string::npos);
}

TEST_CASE("http: a missing CA file is a setting to correct") {
  HttpOptions o = local_opts();
  o.ca_file = "/nonexistent/maildoctor-ca.pem";
  httplib::Server svr;
  Running run(svr);
  auto r = md::net::http_get(run.url("/", "https"), {}, o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.failure().code == "accounts.invalid");
}

TEST_CASE("http: a CA file that holds no certificate is a setting to correct, read at the handshake") {
  md::test::TempDir dir;
  SelfSigned c(dir.path, "IP:127.0.0.1", -kDay, kDay);
  httplib::SSLServer svr(c.cert, c.key);
  REQUIRE(svr.is_valid());
  svr.Get("/", [](const httplib::Request&, httplib::Response& res) { res.set_content("tls ok", "text/plain"); });
  Running<httplib::SSLServer> run(svr);
  const std::string not_pem = (dir.path / "notes.txt").string();
  std::ofstream(not_pem) << "not a certificate\n";
  HttpOptions o = local_opts();
  o.ca_file = not_pem;
  auto r = md::net::http_get(run.url("/", "https"), {}, o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.failure().code == "accounts.invalid");
  CHECK(r.failure().detail.find("notes.txt") != std::string::npos);
}

TEST_CASE("http: which environment proxy applies, and no_proxy") {
  std::map<std::string, std::string> vars;
  md::EnvLookup env = [&](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  using md::net::env_proxy_for;
  CHECK_FALSE(env_proxy_for("https://login.example.test/", env));
  vars["HTTPS_PROXY"] = "http://p:3128";
  CHECK(env_proxy_for("https://login.example.test/", env) == std::optional<std::string>("http://p:3128"));
  CHECK_FALSE(env_proxy_for("http://login.example.test/", env));  // HTTPS_PROXY is for https only
  vars["HTTP_PROXY"] = "http://upper:1";
  CHECK_FALSE(env_proxy_for("http://login.example.test/", env));  // libcurl ignores upper-case HTTP_PROXY
  vars["ALL_PROXY"] = "http://all:1";
  CHECK(env_proxy_for("http://login.example.test/", env) == std::optional<std::string>("http://all:1"));
  vars["NO_PROXY"] = "localhost, .example.test";
  CHECK_FALSE(env_proxy_for("https://login.example.test/", env));
  CHECK_FALSE(env_proxy_for("https://example.test/", env));
  CHECK(env_proxy_for("https://example.org/", env).has_value());
  vars["NO_PROXY"] = "*";
  CHECK_FALSE(env_proxy_for("https://example.org/", env));
}

TEST_CASE("http: the ProtoLog transcript writes protocol \"http\" lines for the account") {
  md::protolog::ProtoLog log(100, nullptr);
  md::net::ProtoLogTranscript t(log, "alice");
  httplib::Server svr;
  svr.Get("/", [](const httplib::Request&, httplib::Response& res) { res.set_content("hi", "text/plain"); });
  Running run(svr);
  REQUIRE(md::net::http_get(run.url("/"), {{"Authorization", "Basic dXNlcjpwYXNz"}}, local_opts(), &t).ok());
  auto entries = log.since(0);
  REQUIRE(entries.size() >= 3);
  for (const auto& e : entries) {
    CHECK(e.account == "alice");
    CHECK(e.protocol == "http");
    CHECK(e.text.find("dXNlcjpwYXNz") == std::string::npos);
  }
  CHECK(entries[0].direction == Direction::client);
  CHECK(entries.back().direction == Direction::server);
}

TEST_CASE("http: helpers: form encoding, host, printable excerpts") {
  CHECK(md::net::form_encode({{"a b", "c&d"}, {"scope", "x y"}}) == "a%20b=c%26d&scope=x%20y");
  CHECK(md::net::url_host("https://login.microsoftonline.com/common/oauth2/v2.0/token") == "login.microsoftonline.com");
  CHECK(md::net::url_host("http://127.0.0.1:8080/") == "127.0.0.1");
  CHECK(md::net::url_host("nonsense").empty());
  CHECK(md::net::printable_excerpt("ok\r\n\x01z", 10) == "ok...z");
  CHECK(md::net::printable_excerpt(std::string(300, 'a'), 5) == "aaaaa...");
}
