// One blocking connection to a mail server, as the check ladder sees it: name resolution, TCP
// connect, TLS (implicit or after STARTTLS) with the certificate's facts kept even when
// verification fails, and buffered line/literal I/O. Every operation is bounded: sockets are
// non-blocking underneath and each wait is a poll() with the remaining time. Every line sent or
// received goes to a transcript hook; secrets are only ever sent through write_secret_line, which
// logs a redacted form. POSIX sockets (Linux, macOS).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protolog/redactor.h"
#include "result.h"

namespace md::mail {

using Milliseconds = std::chrono::milliseconds;

// A line longer than this is not a protocol line (a server in a loop, or the wrong protocol).
inline constexpr size_t kMaxLineLength = 64 * 1024;

// How much of one reply a client holds before it gives up with protocol.reply_too_large: the
// untagged responses of one IMAP command (what its caller collects), one response with its
// literals, the lines of one POP3 multi-line reply (CAPA, UIDL, LIST). A hostile or broken server
// could otherwise make the client grow without bound. Bodies stream and have their own limit.
struct ReplyLimits {
  uint64_t max_lines = 2'000'000;                    // a UIDL of a very large mailbox is under a million
  uint64_t max_bytes = uint64_t{256} << 20;          // of one reply, all its lines together
  uint64_t max_response_bytes = uint64_t{16} << 20;  // IMAP: one response line with its literals
};

struct Address {
  std::string ip;  // printable: "127.0.0.1", "2001:db8::1"
  uint16_t port = 0;
  int family = 0;        // AF_INET / AF_INET6
  std::string sockaddr;  // the raw struct sockaddr bytes, for connect()
};

// Names → addresses, bounded: getaddrinfo() cannot be interrupted, so it runs on a helper thread
// that is abandoned (and finishes on its own) when the time is up.
// Failures: dns.not_found (the name does not exist or has no address), dns.failed (anything else,
// including no answer in time).
Result<std::vector<Address>> resolve(const std::string& host, uint16_t port, Milliseconds timeout);

struct TlsOptions {
  std::string host;     // verified against the certificate and sent as SNI (not for IP literals)
  std::string ca_file;  // optional PEM bundle trusted in addition to the system's store
  bool verify = true;   // off only by an explicit per-account setting
};

// What the server's certificate says, whether or not it was accepted: an expired certificate's
// dates are the evidence the ladder shows.
struct TlsInfo {
  std::string protocol;  // "TLSv1.3"
  std::string cipher;    // "TLS_AES_256_GCM_SHA384"
  std::string subject;   // RFC 2253 form: "CN=localhost,O=MailDoctor Lab"
  std::string issuer;
  std::string not_before;  // ISO 8601, UTC
  std::string not_after;
  std::vector<std::string> subject_alt_names;  // "DNS:localhost", "IP:127.0.0.1"
  std::string chain_top_issuer;                // issuer of the chain's top (the root when verified): who vouches
  long verify_code = 0;                        // X509_V_OK (0) or an X509_V_ERR_* value
  std::string verify_text;                     // OpenSSL's words for verify_code
  bool verification_enabled = true;
  bool verified = false;  // chain trusted, dates valid, host name matches
};

class Connection {
 public:
  // Every line sent (client) or received (server), and notes (info). Literal bodies are logged as
  // "{N bytes}", secrets as the redacted form given to write_secret_line.
  using Transcript = std::function<void(protolog::Direction, std::string_view)>;

  Connection();
  ~Connection();
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Takes ownership of an already connected socket (tests use a socketpair).
  static Connection adopt(int fd);

  // The bound on each operation (connect, handshake, a line, a write). Default 30 s.
  void set_timeout(Milliseconds timeout) { timeout_ = timeout; }
  Milliseconds timeout() const { return timeout_; }
  void set_transcript(Transcript transcript) { transcript_ = std::move(transcript); }

  // tcp.refused, tcp.timeout, tcp.unreachable.
  Result<void> connect(const Address& address);
  // Tries each address in turn within one timeout; the failure describes every attempt.
  Result<void> connect(const std::vector<Address>& addresses);

  // TLS over the open socket (implicit TLS, or after the server's yes to STARTTLS). TLS 1.2 at
  // least. Failures: tls.cert_expired, tls.cert_not_yet_valid, tls.hostname_mismatch,
  // tls.cert_untrusted, tls.handshake_failed; tls_info() is filled whenever a certificate came.
  Result<TlsInfo> start_tls(const TlsOptions& options);
  const std::optional<TlsInfo>& tls_info() const { return tls_info_; }
  bool is_tls() const;
  bool is_open() const { return fd_ >= 0; }
  const Address& peer() const { return peer_; }
  // This end's address as an RFC 5321 address literal: "[192.0.2.1]", "[IPv6:2001:db8::1]"; empty
  // when the socket has none (closed).
  std::string local_address_literal() const;
  void close();

  // One CRLF-terminated line without its CRLF (a bare LF is tolerated). `awaited` names what the
  // caller waits for, for the timeout's detail ("the reply to SELECT"). The whole line must arrive
  // within the timeout. Failures: tcp.timeout, protocol.connection_lost, protocol.bad_response
  // (longer than max_length). Lines of a message body are read with logged = false.
  Result<std::string> read_line(std::string_view awaited, size_t max_length = kMaxLineLength, bool logged = true);
  // Exactly n bytes (an IMAP literal), appended to `out` as they come: a lying size costs no
  // memory up front. The timeout bounds each wait for more bytes, not the whole transfer.
  Result<void> read_exact(size_t n, std::string& out, std::string_view awaited);
  // True when received bytes are waiting in the buffer (STARTTLS injection check, tests).
  bool has_buffered_input() const { return rpos_ < rbuf_.size(); }

  Result<void> write_all(std::string_view bytes, std::string_view what);
  // line + CRLF; the line goes to the transcript as is.
  Result<void> write_line(std::string_view line);
  // line + CRLF; the transcript gets `logged` instead ("A1 AUTHENTICATE XOAUTH2 <redacted>").
  Result<void> write_secret_line(std::string_view line, std::string_view logged);

  // A note in the transcript (info direction).
  void note(std::string_view text) const;
  void log(protolog::Direction direction, std::string_view text) const {
    if (transcript_) transcript_(direction, text);
  }

 private:
  struct Tls;  // OpenSSL state, kept out of this header
  explicit Connection(int fd);
  Result<size_t> fill(std::chrono::steady_clock::time_point deadline, std::string_view awaited);
  Result<size_t> raw_read(char* buf, size_t len, std::chrono::steady_clock::time_point deadline,
                          std::string_view awaited);
  Result<void> connect_until(const Address& address, std::chrono::steady_clock::time_point deadline);
  Result<void> wait_fd(short events, std::chrono::steady_clock::time_point deadline, std::string_view awaited);
  Failure timeout_failure(std::string_view awaited) const;

  int fd_ = -1;
  Address peer_;
  Milliseconds timeout_{30000};
  Transcript transcript_;
  std::unique_ptr<Tls> tls_;
  std::optional<TlsInfo> tls_info_;
  std::string rbuf_;  // received, not yet consumed: rbuf_[rpos_..]
  size_t rpos_ = 0;
  bool peer_reset_ = false;  // the end of input was a reset (RST), not an orderly close
  std::string how_it_ended() const;
};

// "30 s", "1.5 s", "250 ms": for failure details.
std::string describe(Milliseconds duration);
// Control bytes replaced by '?', cut to `max`: a server's words (or binary noise) in a detail.
std::string printable(std::string_view text, size_t max = 200);

}  // namespace md::mail
