// IMAP4rev1 response grammar (RFC 3501) as far as MailDoctor reads it: status responses with
// their response codes, capability lists, untagged data, and FETCH responses whose literals are
// read from an input on demand — so a message body of any size streams through without the rest
// of the mailbox in memory. Pure parsing; imap_client.cpp does the talking.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mail/sasl.h"
#include "result.h"

namespace md::mail::imap {

// A line ends with a literal marker "{N}" (or "{N+}"): N, else nullopt.
std::optional<uint64_t> trailing_literal(std::string_view line);

// "* OK [UIDVALIDITY 3857529045] UIDs valid", "A1 NO [AUTHENTICATIONFAILED] Invalid credentials".
struct StatusResponse {
  std::string tag;        // "*" or a command's tag
  std::string status;     // OK, NO, BAD, BYE, PREAUTH (upper case)
  std::string code;       // the response code's atom, upper case: AUTHENTICATIONFAILED, ALERT, UIDNEXT…
  std::string code_args;  // what follows it inside the brackets: "3857529045", "IMAP4rev1 SASL-IR …"
  std::string text;       // the human-readable rest
  std::string line;       // the whole line as received
  bool ok() const { return status == "OK"; }
};
// nullopt when the line is not a status response.
std::optional<StatusResponse> parse_status(std::string_view line);

struct Capabilities {
  std::vector<std::string> atoms;  // upper case, in the server's order, AUTH=… included
  std::vector<std::string> auth;   // the mechanisms of the AUTH=… atoms, upper case
  bool has(std::string_view atom) const;
  bool starttls() const { return has("STARTTLS"); }
  bool login_disabled() const { return has("LOGINDISABLED"); }
  bool sasl_ir() const { return has("SASL-IR"); }
  bool supports(sasl::Mechanism m) const;
};
// "IMAP4rev1 STARTTLS AUTH=PLAIN AUTH=XOAUTH2" (the text after "* CAPABILITY " or "[CAPABILITY ").
Capabilities parse_capabilities(std::string_view list);

// "* 23 EXISTS" → {23, "EXISTS", ""}; "* FLAGS (\Seen)" → {nullopt, "FLAGS", "(\Seen)"}.
struct Untagged {
  std::optional<uint32_t> number;
  std::string keyword;  // upper case
  std::string rest;
};
std::optional<Untagged> parse_untagged(std::string_view line);

// A parenthesised list of atoms, "(\Answered \Seen $Forwarded)"; nullopt when malformed.
std::optional<std::vector<std::string>> parse_atom_list(std::string_view text);

// One message of a FETCH response.
struct FetchedMessage {
  uint32_t seq = 0;
  std::optional<uint32_t> uid;
  std::optional<uint64_t> rfc822_size;
  std::optional<std::vector<std::string>> flags;
  std::optional<std::string> internal_date;
  std::optional<uint64_t> modseq;
  struct Section {
    std::string name;                  // "BODY[]", "BODY[HEADER]", "RFC822", "BODY[]<0>"
    std::optional<std::string> bytes;  // nullopt for NIL
  };
  std::vector<Section> sections;  // in the server's order
  // The first section's bytes (the message for BODY[] / BODY.PEEK[] / RFC822), or nullptr.
  const std::string* body() const;
};

// Where the rest of a response comes from once a literal marker ends a line.
class ResponseInput {
 public:
  virtual ~ResponseInput() = default;
  virtual Result<std::string> next_line() = 0;
  // Exactly n bytes, appended to out.
  virtual Result<void> literal(uint64_t n, std::string& out) = 0;
};

// Parses "* N FETCH (…)" starting from its first line; literals and continuation lines come from
// `in`. Failure protocol.bad_response for anything malformed (and a literal over max_literal).
Result<FetchedMessage> parse_fetch(std::string first_line, ResponseInput& in, uint64_t max_literal);
// True for "* <number> FETCH ...".
bool is_fetch_line(std::string_view line);

// A whole response held in memory (tests; canned server text): CRLF lines with literals inline.
class StringInput : public ResponseInput {
 public:
  explicit StringInput(std::string_view text) : text_(text) {}
  Result<std::string> next_line() override;
  Result<void> literal(uint64_t n, std::string& out) override;
  bool at_end() const { return pos_ >= text_.size(); }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

// "\"quoted\"" with \\ and \" escaped, for command arguments; nullopt when the text cannot be a
// quoted string (CR, LF, NUL, or 8-bit bytes: those need a literal).
std::optional<std::string> quote(std::string_view text);

}  // namespace md::mail::imap
