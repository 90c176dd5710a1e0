#include "mail/tls_session.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "net/interception.h"
#include "platform/socket.h"
#include "platform/trust_store.h"
#include "util/text.h"
#include "util/time.h"

namespace md::mail::tls {
namespace {

// --- A socket BIO whose writes never raise SIGPIPE ------------------------------------------------
// OpenSSL's own socket BIO uses write(), and a peer that has gone away would kill the process with
// SIGPIPE. send(MSG_NOSIGNAL) reports EPIPE instead, without touching the process's signal state.

int fd_of(BIO* bio) {
  return static_cast<int>(reinterpret_cast<intptr_t>(BIO_get_data(bio)));
}

// After a failed call: whether to retry, with errno set to the socket's error (so the caller's
// errno-based words work on Windows too, where Winsock does not set errno).
bool retryable_after_failure() {
  const int err = platform::socket_error();
  errno = err;
  return platform::would_block(err) || err == EINTR;
}

int bio_write(BIO* bio, const char* data, int len) {
  BIO_clear_retry_flags(bio);
  long n = platform::send_some(fd_of(bio), data, static_cast<size_t>(len));
  if (n < 0 && retryable_after_failure()) BIO_set_retry_write(bio);
  return static_cast<int>(n);
}

int bio_read(BIO* bio, char* data, int len) {
  BIO_clear_retry_flags(bio);
  long n = platform::recv_some(fd_of(bio), data, static_cast<size_t>(len));
  if (n < 0 && retryable_after_failure()) BIO_set_retry_read(bio);
  return static_cast<int>(n);
}

long bio_ctrl(BIO*, int cmd, long, void*) {
  return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

int bio_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

BIO_METHOD* socket_method() {
  static BIO_METHOD* method = nullptr;
  static std::once_flag once;
  std::call_once(once, [] {
    method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "maildoctor socket");
    BIO_meth_set_write(method, bio_write);
    BIO_meth_set_read(method, bio_read);
    BIO_meth_set_ctrl(method, bio_ctrl);
    BIO_meth_set_create(method, bio_create);
  });
  return method;
}

// --- Certificate facts --------------------------------------------------------------------------

std::string name_text(const X509_NAME* name) {
  if (!name) return {};
  BIO* mem = BIO_new(BIO_s_mem());
  if (!mem) return {};
  X509_NAME_print_ex(mem, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long len = BIO_get_mem_data(mem, &data);
  std::string out(data, len > 0 ? static_cast<size_t>(len) : 0);
  BIO_free(mem);
  return out;
}

std::string time_text(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return {};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::vector<std::string> alt_names(X509* cert) {
  std::vector<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (!names) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    if (gn->type == GEN_DNS || gn->type == GEN_EMAIL) {
      const ASN1_STRING* s = gn->type == GEN_DNS ? gn->d.dNSName : gn->d.rfc822Name;
      std::string value(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                        static_cast<size_t>(ASN1_STRING_length(s)));
      out.push_back((gn->type == GEN_DNS ? "DNS:" : "email:") + value);
    } else if (gn->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* ip = gn->d.iPAddress;
      char buf[INET6_ADDRSTRLEN] = {};
      int len = ASN1_STRING_length(ip);
      int family = len == 4 ? AF_INET : len == 16 ? AF_INET6 : 0;
      if (family && inet_ntop(family, ASN1_STRING_get0_data(ip), buf, sizeof buf))
        out.push_back("IP:" + std::string(buf));
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

}  // namespace

bool is_ip_literal(std::string_view host) {
  std::string h(host);
  unsigned char buf[16];
  return inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

std::string drain_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(e);
    char buf[256];
    if (!reason) {
      ERR_error_string_n(e, buf, sizeof buf);
      reason = buf;
    }
    out += (out.empty() ? "" : "; ") + std::string(reason);
  }
  return out;
}

Result<Session> make_session(int fd, const TlsOptions& options) {
  Session s;
  s.ctx.reset(SSL_CTX_new(TLS_client_method()));
  if (!s.ctx) return fail("tls.handshake_failed", "OpenSSL could not create a TLS context: " + drain_errors());
  SSL_CTX_set_min_proto_version(s.ctx.get(), TLS1_2_VERSION);
  // A server that closes without close_notify ends the conversation, as it does for every other client.
  SSL_CTX_set_options(s.ctx.get(), SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_mode(s.ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_default_verify_paths(s.ctx.get());
  platform::add_system_roots(SSL_CTX_get_cert_store(s.ctx.get()));  // Windows: the ROOT and CA stores
  if (!options.ca_file.empty() && SSL_CTX_load_verify_locations(s.ctx.get(), options.ca_file.c_str(), nullptr) != 1)
    return fail("accounts.invalid",
                "the CA file " + options.ca_file + " cannot be read as PEM certificates (" + drain_errors() + ")");
  // Verification always runs; whether its result stops us is decided after the handshake.
  SSL_CTX_set_verify(s.ctx.get(), SSL_VERIFY_NONE, nullptr);

  s.ssl.reset(SSL_new(s.ctx.get()));
  BIO* bio = BIO_new(socket_method());
  if (!s.ssl || !bio) {
    BIO_free(bio);
    return fail("tls.handshake_failed", "OpenSSL could not create a TLS session: " + drain_errors());
  }
  BIO_set_data(bio, reinterpret_cast<void*>(static_cast<intptr_t>(fd)));
  SSL_set_bio(s.ssl.get(), bio, bio);
  SSL_set_connect_state(s.ssl.get());

  if (!options.host.empty()) {
    X509_VERIFY_PARAM* param = SSL_get0_param(s.ssl.get());
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (is_ip_literal(options.host)) {
      // An IP address is matched against IP SANs and is never sent as SNI (RFC 6066).
      X509_VERIFY_PARAM_set1_ip_asc(param, options.host.c_str());
    } else {
      SSL_set1_host(s.ssl.get(), options.host.c_str());
      SSL_set_tlsext_host_name(s.ssl.get(), options.host.c_str());
    }
  }
  return s;
}

TlsInfo inspect(SSL* ssl, bool verification_enabled) {
  TlsInfo info;
  info.verification_enabled = verification_enabled;
  info.protocol = SSL_get_version(ssl);
  if (const char* cipher = SSL_get_cipher_name(ssl)) info.cipher = cipher;
  info.verify_code = SSL_get_verify_result(ssl);
  info.verify_text = X509_verify_cert_error_string(info.verify_code);
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert) {
    info.subject = name_text(X509_get_subject_name(cert));
    info.issuer = name_text(X509_get_issuer_name(cert));
    info.not_before = time_text(X509_get0_notBefore(cert));
    info.not_after = time_text(X509_get0_notAfter(cert));
    info.subject_alt_names = alt_names(cert);
  } else if (info.verify_code == X509_V_OK) {
    info.verify_code = X509_V_ERR_UNSPECIFIED;
    info.verify_text = "the server sent no certificate";
  }
  // The verified chain ends at the trust anchor; without one, the top of what the server sent.
  STACK_OF(X509)* chain = info.verify_code == X509_V_OK ? SSL_get0_verified_chain(ssl) : nullptr;
  if (!chain) chain = SSL_get_peer_cert_chain(ssl);
  if (chain && sk_X509_num(chain) > 0)
    info.chain_top_issuer = name_text(X509_get_issuer_name(sk_X509_value(chain, sk_X509_num(chain) - 1)));
  info.verified = cert && info.verify_code == X509_V_OK;
  return info;
}

std::optional<Failure> verification_failure(const TlsInfo& info, const TlsOptions& options) {
  if (info.verified || !options.verify) return std::nullopt;
  const std::string who =
      info.subject.empty() ? std::string("the server's certificate") : "certificate " + info.subject;
  switch (info.verify_code) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return fail("tls.cert_expired", who + " expired at " + info.not_after +
                                          " (notAfter); this computer's clock says " +
                                          util::format_iso8601(std::chrono::system_clock::now()));
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return fail("tls.cert_not_yet_valid", who + " is valid only from " + info.not_before +
                                                " (notBefore); this computer's clock says " +
                                                util::format_iso8601(std::chrono::system_clock::now()));
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
    case X509_V_ERR_EMAIL_MISMATCH:
      return fail("tls.hostname_mismatch",
                  who + " names " +
                      (info.subject_alt_names.empty() ? std::string("no alternative names")
                                                      : util::join(info.subject_alt_names, ", ")) +
                      ", not " + options.host);
    default:
      // A TLS-inspecting antivirus or firewall issued it: name the product, whose settings are the fix.
      if (auto product = net::interception_product(info.issuer + " " + info.chain_top_issuer))
        return fail("tls.intercepted", who + " was issued by " + info.issuer + ", which is " + *product +
                                           "'s TLS inspection, not the mail provider: " + info.verify_text +
                                           " (verify error " + std::to_string(info.verify_code) + ")");
      return fail("tls.cert_untrusted", who + " issued by " + info.issuer + " is not trusted: " + info.verify_text +
                                            " (verify error " + std::to_string(info.verify_code) + ")");
  }
}

}  // namespace md::mail::tls
