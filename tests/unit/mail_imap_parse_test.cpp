#include <doctest/doctest.h>

#include <random>
#include <string>

#include "mail/imap_parse.h"

using namespace md::mail;
using namespace md::mail::imap;

namespace {

md::Result<FetchedMessage> fetch_from(std::string_view text, uint64_t max_literal = 1 << 20) {
  StringInput in(text);
  auto first = in.next_line();
  if (!first) return first.failure();
  return parse_fetch(first.value(), in, max_literal);
}

}  // namespace

TEST_CASE("mail: IMAP status lines from Gmail, Microsoft and Dovecot") {
  auto gmail = parse_status("A1 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)");
  REQUIRE(gmail);
  CHECK(gmail->tag == "A1");
  CHECK(gmail->status == "NO");
  CHECK(gmail->code == "AUTHENTICATIONFAILED");
  CHECK(gmail->text == "Invalid credentials (Failure)");

  auto alert = parse_status("A2 NO [ALERT] Application-specific password required: https://support.google.com/");
  REQUIRE(alert);
  CHECK(alert->code == "ALERT");
  CHECK(alert->text.starts_with("Application-specific password required"));

  auto ms = parse_status("A3 BAD User is authenticated but not connected.");
  REQUIRE(ms);
  CHECK(ms->status == "BAD");
  CHECK(ms->code.empty());
  CHECK(ms->text == "User is authenticated but not connected.");

  auto uv = parse_status("* OK [UIDVALIDITY 3857529045] UIDs valid");
  REQUIRE(uv);
  CHECK(uv->code == "UIDVALIDITY");
  CHECK(uv->code_args == "3857529045");

  auto pf = parse_status("* OK [PERMANENTFLAGS (\\Answered \\Seen \\*)] Flags permitted.");
  REQUIRE(pf);
  CHECK(pf->code == "PERMANENTFLAGS");
  CHECK(parse_atom_list(pf->code_args) == std::vector<std::string>{"\\Answered", "\\Seen", "\\*"});

  auto greet = parse_status("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=XOAUTH2] Dovecot ready.");
  REQUIRE(greet);
  auto caps = parse_capabilities(greet->code_args);
  CHECK(caps.sasl_ir());
  CHECK(caps.auth == std::vector<std::string>{"PLAIN", "XOAUTH2"});

  CHECK_FALSE(parse_status("* 23 EXISTS"));
  CHECK_FALSE(parse_status("220 smtp.example.com ESMTP"));
  CHECK_FALSE(parse_status("A1 NO [UNTERMINATED code"));
  CHECK_FALSE(parse_status(""));
}

TEST_CASE("mail: IMAP capabilities: AUTH mechanisms, STARTTLS, LOGINDISABLED") {
  auto caps = parse_capabilities("IMAP4rev1 LITERAL+ SASL-IR STARTTLS LOGINDISABLED auth=xoauth2 AUTH=OAUTHBEARER");
  CHECK(caps.starttls());
  CHECK(caps.login_disabled());
  CHECK(caps.supports(sasl::Mechanism::xoauth2));
  CHECK(caps.supports(sasl::Mechanism::oauthbearer));
  CHECK_FALSE(caps.supports(sasl::Mechanism::plain));
  CHECK_FALSE(caps.supports(sasl::Mechanism::login));  // LOGINDISABLED
  auto plain = parse_capabilities("IMAP4rev1  AUTH=PLAIN");
  CHECK_FALSE(plain.starttls());
  CHECK(plain.supports(sasl::Mechanism::login));
  CHECK(plain.atoms.size() == 2);
}

TEST_CASE("mail: IMAP untagged data") {
  auto e = parse_untagged("* 172 EXISTS");
  REQUIRE(e);
  CHECK(e->number == 172u);
  CHECK(e->keyword == "EXISTS");
  auto f = parse_untagged("* FLAGS (\\Answered \\Flagged)");
  REQUIRE(f);
  CHECK_FALSE(f->number);
  CHECK(f->keyword == "FLAGS");
  CHECK(parse_atom_list(f->rest)->size() == 2);
  CHECK_FALSE(parse_untagged("A1 OK"));
  CHECK_FALSE(parse_atom_list("(\\Seen"));
  CHECK(trailing_literal("* 1 FETCH (BODY[] {42}") == 42u);
  CHECK(trailing_literal("x {7+}") == 7u);
  CHECK_FALSE(trailing_literal("* OK done {x}"));
  CHECK(quote("a\"b\\c") == std::string("\"a\\\"b\\\\c\""));
  CHECK_FALSE(quote("a\r\nb"));
  CHECK_FALSE(quote("p\xc3\xa4ss"));
}

TEST_CASE("mail: FETCH with UID, size, flags and a literal body") {
  std::string body = "Subject: hi\r\n\r\nline with ) and (\r\n* 2 FETCH fake\r\nA9 OK fake\r\n";
  std::string text = "* 12 FETCH (UID 345 RFC822.SIZE " + std::to_string(body.size()) +
                     " FLAGS (\\Seen $Forwarded) BODY[] {" + std::to_string(body.size()) + "}\r\n" + body + ")\r\n";
  auto m = fetch_from(text);
  REQUIRE(m);
  CHECK(m.value().seq == 12u);
  CHECK(m.value().uid == 345u);
  CHECK(m.value().rfc822_size == body.size());
  CHECK(m.value().flags == std::vector<std::string>{"\\Seen", "$Forwarded"});
  REQUIRE(m.value().body());
  CHECK(*m.value().body() == body);
  CHECK(m.value().sections[0].name == "BODY[]");
}

TEST_CASE("mail: FETCH with attributes after the literal, sections with spaces, quoted and NIL values") {
  auto m = fetch_from(
      "* 3 FETCH (BODY[HEADER.FIELDS (FROM SUBJECT)] {9}\r\nFrom: x\r\n UID 9 INTERNALDATE \"17-Jul-1996 02:44:25 "
      "-0700\" "
      "BODY[TEXT]<0> NIL MODSEQ (624140003) X-GM-LABELS (\\Inbox \"a b\") ENVELOPE (NIL \"s\" ((NIL NIL \"a\" \"b\")) "
      "NIL) FLAGS ())\r\n");
  REQUIRE(m);
  CHECK(m.value().uid == 9u);
  CHECK(m.value().internal_date == std::string("17-Jul-1996 02:44:25 -0700"));
  CHECK(m.value().modseq == 624140003u);
  CHECK(m.value().flags == std::vector<std::string>{});
  REQUIRE(m.value().sections.size() == 2);
  CHECK(m.value().sections[0].name == "BODY[HEADER.FIELDS (FROM SUBJECT)]");
  CHECK(m.value().sections[0].bytes == std::string("From: x\r\n"));
  CHECK(m.value().sections[1].name == "BODY[TEXT]<0>");
  CHECK_FALSE(m.value().sections[1].bytes);
}

TEST_CASE("mail: FETCH literals in nested lists and quoted bodies") {
  auto m = fetch_from("* 1 FETCH (ENVELOPE (NIL {3}\r\nabc NIL) UID 5 BODY[] \"tiny \\\"quoted\\\" body\")\r\n");
  REQUIRE(m);
  CHECK(m.value().uid == 5u);
  CHECK(*m.value().body() == "tiny \"quoted\" body");
  auto empty = fetch_from("* 1 FETCH (UID 6 BODY[] {0}\r\n)\r\n");
  REQUIRE(empty);
  CHECK(empty.value().body()->empty());
}

TEST_CASE("mail: malformed and truncated FETCH responses are protocol errors, never a crash") {
  const char* bad[] = {
      "* x FETCH (UID 1)\r\n",
      "* 1 FETCH UID 1\r\n",
      "* 1 FETCH (UID)\r\n",
      "* 1 FETCH (UID abc)\r\n",
      "* 1 FETCH (UID 99999999999)\r\n",
      "* 1 FETCH (UID 1 FLAGS \\Seen)\r\n",
      "* 1 FETCH (UID 1 FLAGS (\"x\"))\r\n",
      "* 1 FETCH (UID 1\r\n",
      "* 1 FETCH (UID 1) trailing\r\n",
      "* 1 FETCH (BODY[] \"unterminated)\r\n",
      "* 1 FETCH (BODY[ {3}\r\nabc)\r\n",
      "* 1 FETCH (BODY[] {3} UID 1)\r\n",
      "* 1 FETCH (BODY[] {-3}\r\n)\r\n",
      "* 1 FETCH (BODY[] {99999999999999999999999}\r\n)\r\n",
      "* 1 FETCH (BODY[] (a b))\r\n",
      "* 1 FETCH (UID 1  FLAGS ())\r\n",
  };
  for (const char* b : bad) {
    auto m = fetch_from(b);
    CHECK_MESSAGE(!m, b);
    if (!m) CHECK(m.failure().code == "protocol.bad_response");
  }
  // Truncated in the middle of a literal or right after it.
  auto cut = fetch_from("* 1 FETCH (BODY[] {10}\r\nabc");
  REQUIRE_FALSE(cut);
  CHECK(cut.failure().code == "protocol.connection_lost");
  auto cut2 = fetch_from("* 1 FETCH (BODY[] {3}\r\nabc");
  REQUIRE_FALSE(cut2);
  CHECK(cut2.failure().code == "protocol.connection_lost");
  // Over the literal limit: refused before reading.
  auto big = fetch_from("* 1 FETCH (BODY[] {2000}\r\n)", 1000);
  REQUIRE_FALSE(big);
  CHECK(big.failure().code == "protocol.bad_response");
  // Deep nesting is bounded.
  std::string deep = "* 1 FETCH (X " + std::string(5000, '(') + std::string(5000, ')') + ")\r\n";
  CHECK_FALSE(fetch_from(deep));
}

TEST_CASE("mail: random bytes after a FETCH prefix never crash the parser") {
  std::mt19937 rng(42);
  const std::string alphabet = "()[]{}<> \"\\0123456789UIDFLAGSBODY\r\nNIL+.";
  for (int i = 0; i < 5000; ++i) {
    std::string text = "* 1 FETCH (";
    size_t n = rng() % 80;
    for (size_t k = 0; k < n; ++k) text += alphabet[rng() % alphabet.size()];
    text += "\r\n";
    (void)fetch_from(text, 1000);
  }
}
