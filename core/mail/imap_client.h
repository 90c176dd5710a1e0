// MailDoctor's IMAP client: one call per ladder step (greeting, CAPABILITY, STARTTLS, sign-in,
// SELECT/EXAMINE) with the server's own words kept for the evidence, and a streaming UID FETCH
// for mailbox sync that hands over one message at a time. Transport problems are failures
// (Result); a server's refusal of a sign-in is an answer (AuthResult), for the ladder to explain.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mail/connection.h"
#include "mail/imap_parse.h"
#include "mail/sasl.h"
#include "result.h"

namespace md::mail {

// IMAP lines can be long (a SEARCH result, a capability list); the greeting keeps the default.
inline constexpr size_t kMaxImapLineLength = 8 * 1024 * 1024;

struct ImapGreeting {
  imap::StatusResponse response;                   // * OK / * PREAUTH / * BYE
  std::optional<imap::Capabilities> capabilities;  // from [CAPABILITY …] when the server sent it
  bool preauth() const { return response.status == "PREAUTH"; }
  // BYE, or a NO some servers send instead: the server refuses service.
  bool refused() const { return response.status == "BYE" || response.status == "NO"; }
};

// How a sign-in went, in the server's words.
struct AuthResult {
  bool ok = false;
  imap::StatusResponse response;             // the tagged reply: status, code (AUTHENTICATIONFAILED, ALERT,
                                             // THROTTLED, UNAVAILABLE…) and text
  std::vector<std::string> untagged;         // untagged lines met on the way (* OK [ALERT] …, * BYE …)
  std::string challenge_base64;              // the error challenge as sent, when there was one
  std::optional<sasl::Challenge> challenge;  // …decoded, when it decodes
  std::string challenge_error;               // why it did not decode
};

struct Mailbox {
  std::string name;
  bool read_only = false;
  uint32_t exists = 0;
  std::optional<uint32_t> recent;
  std::optional<uint32_t> uidvalidity;
  std::optional<uint32_t> uidnext;
  std::optional<uint32_t> unseen;  // first unseen sequence number
  std::optional<uint64_t> highestmodseq;
  std::vector<std::string> flags;
  std::vector<std::string> permanent_flags;
  imap::StatusResponse response;  // the tagged OK
};

struct FetchSummary {
  uint64_t messages = 0;          // FETCH responses handed to the callback
  uint64_t body_bytes = 0;        // bytes of their sections
  imap::StatusResponse response;  // the tagged reply; NO/BAD here is the caller's to judge
};

// Called once per FETCH response, in the server's order. The message is the callback's to move
// from. A failure stops the fetch: the connection is closed (its response was left unread).
using FetchCallback = std::function<Result<void>(imap::FetchedMessage& message)>;
using UntaggedCallback = std::function<void(std::string_view line)>;

class ImapClient {
 public:
  explicit ImapClient(Connection connection);

  Connection& connection() { return conn_; }
  // Bodies over this size are refused (protocol.bad_response) rather than held. Default 1 GiB.
  void set_max_message_size(uint64_t bytes) { max_literal_ = bytes; }
  void set_reply_limits(const ReplyLimits& limits) { limits_ = limits; }

  // The server speaks first. Failures: protocol.no_greeting (nothing within the timeout, or the
  // connection closed first), protocol.unexpected_greeting (not an IMAP greeting).
  Result<ImapGreeting> read_greeting();
  // CAPABILITY; the result is also remembered (capabilities()) to decide SASL-IR.
  Result<imap::Capabilities> capability();
  const std::optional<imap::Capabilities>& capabilities() const { return caps_; }
  // STARTTLS then the TLS handshake; the remembered capabilities are dropped (ask again).
  // Failures: tls.starttls_unavailable (the server said NO/BAD), and start_tls's.
  Result<TlsInfo> starttls(const TlsOptions& options);

  // XOAUTH2 / OAUTHBEARER / PLAIN by AUTHENTICATE (with SASL-IR when the server offers it, else
  // after the server's "+"), LOGIN by the LOGIN command. A bearer error challenge is answered
  // (empty line for XOAUTH2, AQ== for OAUTHBEARER) and kept, decoded, with the tagged NO.
  // Microsoft can accept the sign-in and refuse everything after: always SELECT/EXAMINE next.
  Result<AuthResult> authenticate(sasl::Mechanism mechanism, const sasl::Credentials& credentials);

  // Failures carry the server's line in the detail: imap.mailbox_missing (NO, [NONEXISTENT]),
  // imap.throttled ([LIMIT], [THROTTLED], [INUSE], [UNAVAILABLE]), auth.not_connected (Microsoft's
  // "BAD User is authenticated but not connected"), protocol.bad_response (another BAD).
  Result<Mailbox> select(std::string_view mailbox);
  Result<Mailbox> examine(std::string_view mailbox);

  // One UID FETCH command for a whole set ("1:*", "1201:5000", "4,7,9:12") streamed: each FETCH
  // response goes to `on_message` as it completes, literals of any size included. `items` is the
  // fetch attribute list, e.g. "(UID RFC822.SIZE FLAGS BODY.PEEK[])".
  Result<FetchSummary> uid_fetch(std::string_view uid_set, std::string_view items, const FetchCallback& on_message);

  // Any other command (NOOP, ID, LIST…); untagged lines (literals inlined) go to on_untagged.
  Result<imap::StatusResponse> command(std::string_view command, const UntaggedCallback& on_untagged = {});
  // LOGOUT, then close. A server that hangs up after its BYE is fine.
  Result<void> logout();

  // The last tagged reply, for evidence after a failure.
  const imap::StatusResponse& last_response() const { return last_; }

 private:
  std::string next_tag();
  Result<std::string> read_response_line(std::string_view awaited);
  Result<imap::StatusResponse> read_until_tagged(const std::string& tag, std::string_view awaited,
                                                 const UntaggedCallback& on_untagged);
  Result<Mailbox> open_mailbox(std::string_view verb, std::string_view mailbox);
  Result<AuthResult> login_command(const sasl::Credentials& credentials);
  void remember_capabilities(const imap::StatusResponse& response);

  Connection conn_;
  std::optional<imap::Capabilities> caps_;
  imap::StatusResponse last_;
  uint64_t max_literal_ = uint64_t{1} << 30;
  ReplyLimits limits_;
  unsigned next_tag_ = 1;
};

}  // namespace md::mail
