// MailDoctor's SMTP submission client (RFC 5321, ESMTP, STARTTLS RFC 3207, AUTH RFC 4954,
// enhanced status codes RFC 3463): greeting, EHLO, STARTTLS, sign-in, and one test message.
// Replies are kept whole (multi-line, with their enhanced code such as 5.7.139) as the evidence
// the ladder matches against.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mail/connection.h"
#include "mail/sasl.h"
#include "result.h"

namespace md::mail {

struct SmtpReply {
  int code = 0;                    // 250, 535…
  std::string enhanced;            // "5.7.8" when the first line carries one
  std::vector<std::string> lines;  // each line's text after "535-" / "535 " (enhanced code included)
  std::string raw;                 // the reply as received, lines joined with "\n"
  bool positive() const { return code >= 200 && code < 400; }
  // The lines' text without the codes, joined with spaces: "Username and Password not accepted. …".
  std::string text() const;
};

// Collects a reply line by line ("250-…" continues, "250 …" ends).
class SmtpReplyParser {
 public:
  // True when the reply is complete; a failure (protocol.bad_response) for a malformed line.
  Result<bool> feed(std::string_view line);
  SmtpReply take() { return std::move(reply_); }

 private:
  SmtpReply reply_;
};
// A whole canned reply (CRLF or LF lines), for tests.
Result<SmtpReply> parse_smtp_reply(std::string_view text);

struct SmtpExtensions {
  std::string greeting;               // the EHLO reply's first line (the server's name)
  std::vector<std::string> keywords;  // each extension line, as sent ("SIZE 35882577", "AUTH LOGIN PLAIN")
  std::vector<std::string> auth;      // mechanisms, upper case (also from the old "AUTH=" form)
  std::optional<uint64_t> size;       // SIZE limit, when announced with a number
  bool has(std::string_view keyword) const;
  bool starttls() const { return has("STARTTLS"); }
  bool supports(sasl::Mechanism m) const;
};
SmtpExtensions parse_ehlo(const SmtpReply& reply);

struct SmtpAuthResult {
  bool ok = false;
  SmtpReply reply;  // the final reply: 235, or 535 5.7.8, 535 5.7.139, 534 5.7.9…
  std::string challenge_base64;
  std::optional<sasl::Challenge> challenge;
  std::string challenge_error;
};

class SmtpClient {
 public:
  explicit SmtpClient(Connection connection);
  Connection& connection() { return conn_; }

  // 220 (or a 554 refusal: positive() false). Failures: protocol.no_greeting,
  // protocol.unexpected_greeting.
  Result<SmtpReply> read_greeting();
  // EHLO; remembered for SIZE and AUTH. Failure protocol.bad_response when refused. An empty
  // client_name says default_client_name().
  Result<SmtpExtensions> ehlo(std::string_view client_name = {});
  // What RFC 5321 4.1.4 asks EHLO to say: this machine's fully qualified name when it has one, else
  // the address literal of this end of the connection. Never "localhost", which some providers
  // throttle.
  std::string default_client_name() const;
  // STARTTLS then the handshake; EHLO must be sent again afterwards (RFC 3207).
  // Failures: tls.starttls_unavailable (refused), and start_tls's.
  Result<TlsInfo> starttls(const TlsOptions& options);
  // AUTH <mech> <initial response>; a 334 error challenge is answered (empty / AQ==) and kept.
  // LOGIN answers the two 334 prompts.
  Result<SmtpAuthResult> authenticate(sasl::Mechanism mechanism, const sasl::Credentials& credentials);
  // MAIL FROM, RCPT TO for each recipient, DATA with the message (line ends made CRLF, dot-stuffed).
  // Failure smtp.rejected naming the refused command and the server's reply.
  Result<SmtpReply> send_message(std::string_view from, const std::vector<std::string>& recipients,
                                 std::string_view message);
  Result<void> quit();

  // The last complete reply after the greeting (a refusal's own words, for the diagnosis).
  const SmtpReply& last_reply() const { return last_reply_; }

 private:
  Result<SmtpReply> read_reply(std::string_view awaited);
  Result<SmtpReply> command(std::string_view line);

  Connection conn_;
  std::optional<SmtpExtensions> extensions_;
  SmtpReply last_reply_;
};

// The message as DATA sends it: CRLF line ends, lines starting with "." doubled, a final CRLF,
// then the terminating ".\r\n".
std::string dot_stuff(std::string_view message);

}  // namespace md::mail
