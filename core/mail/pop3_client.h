// MailDoctor's POP3 client (RFC 1939, CAPA/RESP-CODES RFC 2449, STLS RFC 2595, AUTH RFC 5034):
// greeting, CAPA, STLS, sign-in (SASL or USER/PASS), STAT, UIDL and a streaming RETR. -ERR
// replies come back structured ("[AUTH] Authentication failed." → code AUTH) for the ladder.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mail/connection.h"
#include "mail/sasl.h"
#include "result.h"

namespace md::mail {

struct Pop3Reply {
  bool ok = false;   // +OK
  std::string code;  // RFC 2449 response code: "AUTH", "IN-USE", "SYS/TEMP", "LOGIN-DELAY"
  std::string text;  // after the status and the code
  std::string line;  // as received
};
// nullopt unless the line starts with +OK or -ERR.
std::optional<Pop3Reply> parse_pop3_reply(std::string_view line);

struct Pop3Capabilities {
  std::vector<std::string> lines;            // as listed, e.g. "SASL PLAIN XOAUTH2", "TOP"
  std::vector<std::string> sasl;             // mechanisms of the SASL line, upper case
  bool has(std::string_view keyword) const;  // first word, case-insensitive
  bool stls() const { return has("STLS"); }
  bool user() const { return has("USER"); }
  bool supports(sasl::Mechanism m) const;
};
Pop3Capabilities parse_pop3_capabilities(const std::vector<std::string>& lines);

struct Pop3AuthResult {
  bool ok = false;
  Pop3Reply reply;  // the final +OK / -ERR
  std::string challenge_base64;
  std::optional<sasl::Challenge> challenge;
  std::string challenge_error;
};

struct Pop3Stat {
  uint32_t messages = 0;
  uint64_t octets = 0;
};

struct Pop3Uid {
  uint32_t number = 0;
  std::string uid;
};

// Receives a message's bytes (dot-unstuffed, CRLF line ends) a piece at a time.
using Pop3Sink = std::function<Result<void>(std::string_view bytes)>;

class Pop3Client {
 public:
  explicit Pop3Client(Connection connection);
  Connection& connection() { return conn_; }
  void set_reply_limits(const ReplyLimits& limits) { limits_ = limits; }

  // +OK, or a -ERR (a POP3 server refusing service: reply.ok false). Failures:
  // protocol.no_greeting, protocol.unexpected_greeting.
  Result<Pop3Reply> read_greeting();
  // CAPA; a server without it (-ERR) gives an empty list.
  Result<Pop3Capabilities> capa();
  // STLS then the handshake. Failures: tls.starttls_unavailable (-ERR), and start_tls's.
  Result<TlsInfo> stls(const TlsOptions& options);

  // AUTH <mech>, the initial response on its own line after the server's "+ " (as Microsoft
  // wants) unless inline_initial_response; LOGIN answers the two prompts. A bearer error
  // challenge is answered and kept.
  Result<Pop3AuthResult> authenticate(sasl::Mechanism mechanism, const sasl::Credentials& credentials,
                                      bool inline_initial_response = false);
  Result<Pop3AuthResult> user_pass(std::string_view user, std::string_view password);

  // Failures for a -ERR after sign-in: auth.not_connected (Microsoft's words), else
  // protocol.bad_response with the server's line.
  Result<Pop3Stat> stat();
  Result<std::vector<Pop3Uid>> uidl();
  // The message's size in bytes as delivered to the sink.
  Result<uint64_t> retr(uint32_t number, const Pop3Sink& sink);
  Result<std::string> retr(uint32_t number);
  // RETR of many messages with up to `window` commands in flight (RFC 2449 PIPELINING: only when
  // the server lists it; window 1 otherwise): one round trip per window instead of per message.
  // Each message whole, in the order asked, to `on_message`, which may move from it. A -ERR for
  // one message, or a failed callback, stops the run (the connection is then closed).
  using Pop3MessageCallback = std::function<Result<void>(uint32_t number, std::string& message)>;
  Result<uint64_t> retr_many(const std::vector<uint32_t>& numbers, size_t window,
                             const Pop3MessageCallback& on_message);
  Result<void> quit();

 private:
  Result<Pop3Reply> read_reply(std::string_view awaited);
  Result<Pop3Reply> simple(std::string_view command);
  Result<std::vector<std::string>> read_multiline(std::string_view awaited);
  // A message's lines up to the "." line, dot-unstuffed, CRLF line ends, to the sink in chunks.
  Result<uint64_t> read_message(const Pop3Sink& sink);
  Result<Pop3AuthResult> finish_auth(sasl::Mechanism m, Pop3AuthResult result);

  Connection conn_;
  ReplyLimits limits_;
};

}  // namespace md::mail
