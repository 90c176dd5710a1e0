// The OpenSSL side of a mail connection (internal to core/mail): a client context with the
// system's trust store plus an optional CA file, host name checks for names and IP addresses, a
// socket BIO that cannot raise SIGPIPE, the certificate's facts as TlsInfo, and the mapping from a
// verification result to a failure code. Connection drives the handshake; this file knows OpenSSL.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "mail/connection.h"
#include "result.h"

namespace md::mail::tls {

struct SslDeleter {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};

struct Session {
  std::unique_ptr<SSL_CTX, SslDeleter> ctx;
  std::unique_ptr<SSL, SslDeleter> ssl;
};

// A client session on `fd`, ready for SSL_connect. Verification runs during the handshake but
// never aborts it (SSL_VERIFY_NONE): the result is read afterwards so the certificate's facts are
// there even for a certificate we refuse. Failures: accounts.invalid (unreadable CA file),
// tls.handshake_failed (OpenSSL could not set up a session).
Result<Session> make_session(int fd, const TlsOptions& options);

// The negotiated protocol and cipher and the peer certificate's facts; call after the handshake
// (or after it failed, for whatever the server sent).
TlsInfo inspect(SSL* ssl, bool verification_enabled);

// The failure for a finished handshake whose verification did not pass, or nullopt when it did.
std::optional<Failure> verification_failure(const TlsInfo& info, const TlsOptions& options);

// OpenSSL's error queue as one line (and the queue emptied), for handshake failures.
std::string drain_errors();

bool is_ip_literal(std::string_view host);

}  // namespace md::mail::tls
