// start_tls against an in-process TLS server on 127.0.0.1 with certificates made here: a trusted
// one, an expired one, a not-yet-valid one, one for another name, one nobody vouches for; a
// plaintext server on the "TLS" port and one that never answers the handshake.
#include <doctest/doctest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#if !defined(_WIN32)
#include <pthread.h>
#include <signal.h>
#endif

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>

#include "../support/fake_server.h"
#include "../support/temp_dir.h"
#include "mail/connection.h"

using namespace md::mail;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

struct Key {
  EVP_PKEY* k = EVP_EC_gen("P-256");
  ~Key() { EVP_PKEY_free(k); }
};

struct Cert {
  X509* x = X509_new();
  ~Cert() { X509_free(x); }
};

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  REQUIRE(ext);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A certificate for `cn` valid from now+from_days to now+to_days, signed by issuer (self if null).
void make_cert(Cert& c, const Key& key, const char* cn, const char* sans, long from_days, long to_days,
               const Cert* issuer = nullptr, const Key* issuer_key = nullptr, bool ca = false) {
  static long serial = 1;
  ASN1_INTEGER_set(X509_get_serialNumber(c.x), serial++);
  X509_set_version(c.x, 2);
  X509_gmtime_adj(X509_getm_notBefore(c.x), from_days * 86400);
  X509_gmtime_adj(X509_getm_notAfter(c.x), to_days * 86400);
  X509_set_pubkey(c.x, key.k);
  X509_NAME* name = X509_get_subject_name(c.x);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("MailDoctor Unit"), -1, -1,
                             0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509_set_issuer_name(c.x, issuer ? X509_get_subject_name(issuer->x) : name);
  if (ca) {
    add_ext(c.x, issuer ? issuer->x : c.x, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(c.x, issuer ? issuer->x : c.x, NID_key_usage, "critical,keyCertSign,cRLSign");
  }
  if (sans) add_ext(c.x, issuer ? issuer->x : c.x, NID_subject_alt_name, sans);
  REQUIRE(X509_sign(c.x, issuer_key ? issuer_key->k : key.k, EVP_sha256()) > 0);
}

struct Pki {
  md::test::TempDir dir;
  Key ca_key, leaf_key, av_key;
  Cert ca, good, expired, future, other_name, self_signed, av_root, intercepted;
  std::string ca_file;
  Pki() {
    make_cert(ca, ca_key, "MailDoctor Unit CA", nullptr, -1, 30, nullptr, nullptr, true);
    make_cert(good, leaf_key, "localhost", "DNS:localhost,IP:127.0.0.1", -1, 30, &ca, &ca_key);
    make_cert(expired, leaf_key, "localhost", "DNS:localhost,IP:127.0.0.1", -30, -2, &ca, &ca_key);
    make_cert(future, leaf_key, "localhost", "DNS:localhost,IP:127.0.0.1", 365, 400, &ca, &ca_key);
    make_cert(other_name, leaf_key, "wrong.example.test", "DNS:wrong.example.test", -1, 30, &ca, &ca_key);
    make_cert(self_signed, leaf_key, "localhost", "DNS:localhost,IP:127.0.0.1", -1, 30);
    // What an antivirus's "Mail Shield" presents instead of the server's certificate.
    make_cert(av_root, av_key, "Avast Web/Mail Shield Root", nullptr, -1, 30, nullptr, nullptr, true);
    make_cert(intercepted, leaf_key, "localhost", "DNS:localhost,IP:127.0.0.1", -1, 30, &av_root, &av_key);
    ca_file = (dir.path / "ca.pem").string();
    FILE* f = std::fopen(ca_file.c_str(), "w");
    REQUIRE(f);
    PEM_write_X509(f, ca.x);
    std::fclose(f);
  }
};

Pki& pki() {
  static Pki p;
  return p;
}

enum class Mode { tls, plaintext, silent, stalled };

// Runs an OpenSSL call on the non-blocking accepted socket until it is done, waiting (bounded) for
// the socket between tries.
template <class Call>
int ssl_retry(SSL* ssl, md::test::FakeServer::Peer& peer, Call call) {
  for (int tries = 0; tries < 200; ++tries) {
    int r = call();
    if (r > 0) return r;
    int err = SSL_get_error(ssl, r);
    if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) return r;
    md::platform::poll_socket(peer.fd(), err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, 50);
  }
  return -1;
}

// Serves connections on a loopback port (the shared FakeServer) in one of these ways.
struct Server {
  md::test::FakeServer server;
  uint16_t port;

  Server(Mode mode, const Cert* cert)
      : server([mode, cert](md::test::FakeServer::Peer& peer) { serve(mode, cert, peer); }), port(server.port()) {}

  static void serve(Mode mode, const Cert* cert, md::test::FakeServer::Peer& peer) {
#if !defined(_WIN32)
    // OpenSSL's socket BIO writes with write(): a client that hung up would raise SIGPIPE. Blocked
    // in this thread, the signal stays pending here and dies with the thread.
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
#endif
    if (mode == Mode::plaintext) {
      peer.send("* OK plain IMAP here\r\n");
      peer.drain();
    } else if (mode == Mode::silent) {
      peer.drain();
    } else if (mode == Mode::stalled) {
      // The ClientHello comes; the first bytes of a ServerHello record go back, then nothing.
      if (peer.read_some()) peer.send(std::string_view("\x16\x03\x03\x00\x7a\x02\x00", 7));
      peer.drain();
    } else {
      SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
      SSL_CTX_use_certificate(ctx, cert->x);
      SSL_CTX_use_PrivateKey(ctx, pki().leaf_key.k);
      SSL* ssl = SSL_new(ctx);
      SSL_set_fd(ssl, peer.fd());
      if (ssl_retry(ssl, peer, [&] { return SSL_accept(ssl); }) == 1) {
        ssl_retry(ssl, peer, [&] { return SSL_write(ssl, "* OK over TLS\r\n", 15); });
        char buf[256];
        while (ssl_retry(ssl, peer, [&] { return SSL_read(ssl, buf, sizeof buf); }) > 0) {
        }
      }
      SSL_free(ssl);
      SSL_CTX_free(ctx);
    }
  }
};

struct Outcome {
  md::Result<TlsInfo> result = md::fail("none", "");
  std::optional<TlsInfo> info;
  Connection conn;
};

Outcome handshake(Mode mode, const Cert* cert, TlsOptions options, std::chrono::milliseconds timeout = 3s) {
  Server server(mode, cert);
  Outcome o;
  o.conn.set_timeout(timeout);
  auto address = resolve("127.0.0.1", server.port, 1s);
  REQUIRE(address);
  REQUIRE(o.conn.connect(address.value()));
  o.result = o.conn.start_tls(options);
  o.info = o.conn.tls_info();
  if (o.result) {
    auto line = o.conn.read_line("the greeting");
    CHECK(line.value() == "* OK over TLS");
  }
  o.conn.close();  // lets the server thread finish
  return o;
}

TlsOptions options(std::string host, bool with_ca = true, bool verify = true) {
  return TlsOptions{std::move(host), with_ca ? pki().ca_file : std::string(), verify};
}

}  // namespace

TEST_CASE("mail: TLS with a trusted certificate, by name and by IP address") {
  auto o = handshake(Mode::tls, &pki().good, options("localhost"));
  REQUIRE(o.result);
  const TlsInfo& info = o.result.value();
  CHECK(info.verified);
  CHECK(info.verify_code == 0);
  CHECK((info.protocol == "TLSv1.3" || info.protocol == "TLSv1.2"));
  CHECK_FALSE(info.cipher.empty());
  CHECK(info.subject == "CN=localhost,O=MailDoctor Unit");
  CHECK(info.issuer == "CN=MailDoctor Unit CA,O=MailDoctor Unit");
  CHECK(info.chain_top_issuer == "CN=MailDoctor Unit CA,O=MailDoctor Unit");
  CHECK(info.subject_alt_names == std::vector<std::string>{"DNS:localhost", "IP:127.0.0.1"});
  CHECK(info.not_after.size() == 20);
  CHECK(info.not_before < info.not_after);

  auto by_ip = handshake(Mode::tls, &pki().good, options("127.0.0.1"));
  CHECK(by_ip.result);
}

TEST_CASE("mail: TLS certificate failures map to their codes and keep the certificate's facts") {
  auto expired = handshake(Mode::tls, &pki().expired, options("localhost"));
  REQUIRE_FALSE(expired.result);
  CHECK(expired.result.failure().code == "tls.cert_expired");
  REQUIRE(expired.info);
  CHECK(expired.result.failure().detail.find(expired.info->not_after) != std::string::npos);
  CHECK_FALSE(expired.info->verified);

  auto future = handshake(Mode::tls, &pki().future, options("localhost"));
  REQUIRE_FALSE(future.result);
  CHECK(future.result.failure().code == "tls.cert_not_yet_valid");

  auto mismatch = handshake(Mode::tls, &pki().other_name, options("localhost"));
  REQUIRE_FALSE(mismatch.result);
  CHECK(mismatch.result.failure().code == "tls.hostname_mismatch");
  CHECK(mismatch.result.failure().detail.find("DNS:wrong.example.test") != std::string::npos);

  auto ip_mismatch = handshake(Mode::tls, &pki().other_name, options("127.0.0.1"));
  REQUIRE_FALSE(ip_mismatch.result);
  CHECK(ip_mismatch.result.failure().code == "tls.hostname_mismatch");

  auto self = handshake(Mode::tls, &pki().self_signed, options("localhost"));
  REQUIRE_FALSE(self.result);
  CHECK(self.result.failure().code == "tls.cert_untrusted");

  auto no_ca = handshake(Mode::tls, &pki().good, options("localhost", false));
  REQUIRE_FALSE(no_ca.result);
  CHECK(no_ca.result.failure().code == "tls.cert_untrusted");
}

TEST_CASE("mail: a certificate issued by a TLS-inspecting antivirus is tls.intercepted and names it") {
  auto o = handshake(Mode::tls, &pki().intercepted, options("localhost"));
  REQUIRE_FALSE(o.result);
  CHECK(o.result.failure().code == "tls.intercepted");
  CHECK(o.result.failure().detail.find("Avast") != std::string::npos);
  CHECK(o.result.failure().detail.find("CN=Avast Web/Mail Shield Root") != std::string::npos);
  REQUIRE(o.info);
  CHECK(o.info->issuer == "CN=Avast Web/Mail Shield Root,O=MailDoctor Unit");

  // An unknown private authority stays tls.cert_untrusted.
  auto unknown = handshake(Mode::tls, &pki().good, options("localhost", false));
  REQUIRE_FALSE(unknown.result);
  CHECK(unknown.result.failure().code == "tls.cert_untrusted");
}

TEST_CASE("mail: TLS verification off accepts but still reports") {
  auto o = handshake(Mode::tls, &pki().self_signed, options("localhost", false, false));
  REQUIRE(o.result);
  CHECK_FALSE(o.result.value().verified);
  CHECK_FALSE(o.result.value().verification_enabled);
  CHECK(o.result.value().verify_code != 0);
}

TEST_CASE("mail: TLS to a plaintext or silent port fails within the deadline") {
  auto plain = handshake(Mode::plaintext, nullptr, options("localhost"));
  REQUIRE_FALSE(plain.result);
  CHECK(plain.result.failure().code == "tls.handshake_failed");

  // Silence is a timeout, named one, ended by the handshake's own deadline (no wall-clock bound
  // here: a loaded machine would break it).
  auto silent = handshake(Mode::silent, nullptr, options("localhost"), 300ms);
  REQUIRE_FALSE(silent.result);
  CHECK(silent.result.failure().code == "tls.timeout");
  CHECK(silent.result.failure().detail.find("within 300 ms") != std::string::npos);
}

TEST_CASE("mail: a TLS handshake that starts and then stalls is tcp.timeout within the deadline") {
  auto t0 = Clock::now();
  auto stalled = handshake(Mode::stalled, nullptr, options("localhost"), 300ms);
  REQUIRE_FALSE(stalled.result);
  CHECK(stalled.result.failure().code == "tcp.timeout");
  CHECK(stalled.result.failure().detail.find("7 bytes") != std::string::npos);
  CHECK(Clock::now() - t0 < 30s);  // catches a hang; a loaded machine may be slow
}

TEST_CASE("mail: an unreadable CA file is an account setting error") {
  Connection c;
  int sv[2];
  REQUIRE(md::platform::loopback_pair(sv));
  c = Connection::adopt(sv[0]);
  auto r = c.start_tls(TlsOptions{"localhost", "/nonexistent/ca.pem", true});
  md::platform::close_socket(sv[1]);
  REQUIRE_FALSE(r);
  CHECK(r.failure().code == "accounts.invalid");
}
