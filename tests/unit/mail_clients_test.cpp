// The IMAP, POP3 and SMTP clients against scripted servers on loopback TCP: the providers' real
// replies (PROVIDER-FACTS.md), error challenges, streaming FETCH and RETR, and servers that
// misbehave. The script's server side sends its bytes in small pieces to cross every boundary.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../support/fake_server.h"
#include "mail/imap_client.h"
#include "mail/pop3_client.h"
#include "mail/smtp_client.h"
#include "util/encoding.h"

using namespace md::mail;
using namespace std::chrono_literals;
using md::protolog::Direction;
using md::util::base64_encode;

namespace {

// S: the server sends these bytes as they are; C: the server reads one line and expects this text
// ("?" accepts any line); the script's end closes the server's side.
struct Step {
  char who;
  std::string text;
};

// Plays a script on the shared loopback FakeServer (tests/support): the first connection gets it.
class ScriptedServer {
 public:
  ScriptedServer(std::vector<Step> script, size_t piece = 7)
      : server_([this, script = std::move(script), piece](md::test::FakeServer::Peer& peer) {
          if (played_) return;  // one conversation
          play(peer, script, piece);
          std::lock_guard lock(m_);
          played_ = true;
          cv_.notify_all();
        }) {}
  // The client side, connected over 127.0.0.1, with a transcript collected here.
  Connection connection(std::chrono::milliseconds timeout = 3s) {
    Connection c;
    c.set_timeout(timeout);
    auto address = resolve("127.0.0.1", server_.port(), 2s);
    REQUIRE(address);
    REQUIRE(c.connect(address.value()));
    c.set_transcript([this](Direction d, std::string_view t) {
      transcript.push_back((d == Direction::client ? "C: " : d == Direction::server ? "S: " : "*: ") + std::string(t));
    });
    return c;
  }
  // Waits (bounded) for the script to finish and returns what went wrong on the server's side.
  std::vector<std::string> finish() {
    std::unique_lock lock(m_);
    if (!cv_.wait_for(lock, 10s, [this] { return played_.load(); })) errors_.push_back("the script did not finish");
    return errors_;
  }
  bool transcript_has(std::string_view text) const {
    return std::any_of(transcript.begin(), transcript.end(), [&](const std::string& l) { return l == text; });
  }
  bool transcript_contains(std::string_view text) const {
    return std::any_of(transcript.begin(), transcript.end(),
                       [&](const std::string& l) { return l.find(text) != std::string::npos; });
  }
  std::vector<std::string> transcript;

 private:
  void play(md::test::FakeServer::Peer& peer, const std::vector<Step>& script, size_t piece) {
    for (const Step& s : script) {
      if (s.who == 'S') {
        if (!peer.send(s.text, piece)) {
          errors_.push_back("send failed before: " + s.text);
          return;
        }
        continue;
      }
      std::string line;
      if (!peer.read_line(line)) {
        errors_.push_back("no client line, expected: " + s.text);
        return;
      }
      if (s.text != "?" && line != s.text) errors_.push_back("expected [" + s.text + "] got [" + line + "]");
    }
  }

  std::mutex m_;
  std::condition_variable cv_;
  std::atomic<bool> played_{false};
  std::vector<std::string> errors_;
  md::test::FakeServer server_;  // last: its thread stops before the members it uses go
};

const std::string kGmailChallenge =
    "eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==";
const std::string kBearerChallenge = "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=";
const sasl::Credentials kAlice{"alice@example.test", "tok-SECRET-123", "imap.example.test", 993};

std::string xoauth2_b64() {
  return base64_encode(sasl::xoauth2(kAlice.user, kAlice.secret).value());
}

}  // namespace

// ---------------------------------------------------------------------------------------------- IMAP

TEST_CASE("mail: IMAP greetings: OK with capabilities, PREAUTH, BYE, and what is not IMAP") {
  {
    ScriptedServer s({{'S', "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2 AUTH=PLAIN] Gimap ready\r\n"}});
    ImapClient imap(s.connection());
    auto g = imap.read_greeting();
    REQUIRE(g);
    CHECK(g.value().response.ok());
    REQUIRE(g.value().capabilities);
    CHECK(g.value().capabilities->supports(sasl::Mechanism::xoauth2));
  }
  {
    ScriptedServer s({{'S', "* PREAUTH ready\r\n"}});
    ImapClient imap(s.connection());
    CHECK(imap.read_greeting().value().preauth());
  }
  {
    ScriptedServer s({{'S', "* BYE Too many simultaneous connections\r\n"}});
    ImapClient imap(s.connection());
    CHECK(imap.read_greeting().value().refused());
  }
  {
    // Not in RFC 3501's grammar, but Yahoo refuses service this way.
    ScriptedServer s({{'S', "* NO [UNAVAILABLE] internal server error (#IS6530)\r\n"}});
    ImapClient imap(s.connection());
    CHECK(imap.read_greeting().value().refused());
  }
  {
    ScriptedServer s({{'S', "220 smtp.example.test ESMTP ready\r\n"}});
    ImapClient imap(s.connection());
    CHECK(imap.read_greeting().failure().code == "protocol.unexpected_greeting");
  }
  {
    ScriptedServer s({{'S', std::string("\x15\x03\x01\x00\x02\x02\x46\r\n", 9)}});
    ImapClient imap(s.connection());
    CHECK(imap.read_greeting().failure().code == "protocol.unexpected_greeting");
  }
  {
    ScriptedServer s({});  // hangs up at once
    ImapClient imap(s.connection());
    CHECK(imap.read_greeting().failure().code == "protocol.no_greeting");
  }
}

TEST_CASE("mail: IMAP greeting from a silent server is protocol.no_greeting within the timeout") {
  int sv[2];
  REQUIRE(md::platform::loopback_pair(sv));
  Connection c = Connection::adopt(sv[0]);
  c.set_timeout(200ms);
  ImapClient imap(std::move(c));
  auto t0 = std::chrono::steady_clock::now();
  auto g = imap.read_greeting();
  md::platform::close_socket(sv[1]);
  REQUIRE_FALSE(g);
  CHECK(g.failure().code == "protocol.no_greeting");
  CHECK(std::chrono::steady_clock::now() - t0 < 30s);  // a hang, not speed: the code proves the deadline
}

TEST_CASE("mail: IMAP XOAUTH2 with SASL-IR refused by Gmail: challenge decoded, answered, tagged NO") {
  ScriptedServer s({{'S', "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] Gimap ready\r\n"},
                    {'C', "A1 AUTHENTICATE XOAUTH2 " + xoauth2_b64()},
                    {'S', "+ " + kGmailChallenge + "\r\n"},
                    {'C', ""},
                    {'S', "A1 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)\r\n"}});
  ImapClient imap(s.connection());
  REQUIRE(imap.read_greeting());
  auto r = imap.authenticate(sasl::Mechanism::xoauth2, kAlice);
  REQUIRE(r);
  CHECK_FALSE(r.value().ok);
  CHECK(r.value().response.status == "NO");
  CHECK(r.value().response.code == "AUTHENTICATIONFAILED");
  CHECK(r.value().response.text == "Invalid credentials (Failure)");
  REQUIRE(r.value().challenge);
  CHECK(r.value().challenge->status == "400");
  CHECK(r.value().challenge->scope == "https://mail.google.com/");
  CHECK(s.finish().empty());
  CHECK(s.transcript_has("C: A1 AUTHENTICATE XOAUTH2 <redacted>"));
  CHECK_FALSE(s.transcript_contains("tok-SECRET-123"));
  CHECK_FALSE(s.transcript_contains(xoauth2_b64()));
}

TEST_CASE("mail: IMAP OAUTHBEARER without SASL-IR waits for +, answers the challenge with AQ==") {
  std::string ir = base64_encode(sasl::oauthbearer(kAlice.user, kAlice.secret, kAlice.host, kAlice.port).value());
  ScriptedServer s({{'S', "* OK ready\r\n"},
                    {'C', "A1 AUTHENTICATE OAUTHBEARER"},
                    {'S', "+ \r\n"},
                    {'C', ir},
                    {'S', "+ " + kBearerChallenge + "\r\n"},
                    {'C', "AQ=="},
                    {'S', "A1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"}});
  ImapClient imap(s.connection());
  REQUIRE(imap.read_greeting());
  auto r = imap.authenticate(sasl::Mechanism::oauthbearer, kAlice);
  REQUIRE(r);
  CHECK_FALSE(r.value().ok);
  REQUIRE(r.value().challenge);
  CHECK(r.value().challenge->status == "invalid_token");
  CHECK(s.finish().empty());
  CHECK_FALSE(s.transcript_contains(ir));
}

TEST_CASE("mail: IMAP sign-in accepted, then Microsoft's BAD on SELECT is auth.not_connected") {
  ScriptedServer s({{'S', "* OK The Microsoft Exchange IMAP4 service is ready.\r\n"},
                    {'C', "A1 CAPABILITY"},
                    {'S',
                     "* CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS ID UNSELECT\r\n"
                     "A1 OK CAPABILITY completed.\r\n"},
                    {'C', "A2 AUTHENTICATE XOAUTH2 " + xoauth2_b64()},
                    {'S', "A2 OK AUTHENTICATE completed.\r\n"},
                    {'C', "A3 SELECT \"INBOX\""},
                    {'S', "A3 BAD User is authenticated but not connected.\r\n"}});
  ImapClient imap(s.connection());
  REQUIRE(imap.read_greeting());
  auto caps = imap.capability();
  REQUIRE(caps);
  CHECK(caps.value().sasl_ir());
  CHECK_FALSE(caps.value().starttls());
  auto r = imap.authenticate(sasl::Mechanism::xoauth2, kAlice);
  REQUIRE(r);
  CHECK(r.value().ok);
  auto box = imap.select("INBOX");
  REQUIRE_FALSE(box);
  CHECK(box.failure().code == "auth.not_connected");
  CHECK(box.failure().detail.find("User is authenticated but not connected.") != std::string::npos);
  CHECK(imap.last_response().status == "BAD");
  CHECK(s.finish().empty());
}

TEST_CASE("mail: IMAP LOGIN with Gmail's ALERT, password never in the transcript") {
  ScriptedServer s({{'S', "* OK Gimap ready\r\n"},
                    {'C', "A1 LOGIN \"alice@example.test\" \"pa\\\"ss\""},
                    {'S',
                     "A1 NO [ALERT] Application-specific password required: https://support.google.com/mail/"
                     "?p=InvalidSecondFactor (Failure)\r\n"}});
  ImapClient imap(s.connection());
  REQUIRE(imap.read_greeting());
  auto r = imap.authenticate(sasl::Mechanism::login, {"alice@example.test", "pa\"ss", "", 0});
  REQUIRE(r);
  CHECK_FALSE(r.value().ok);
  CHECK(r.value().response.code == "ALERT");
  CHECK(r.value().response.text.starts_with("Application-specific password required"));
  CHECK(s.finish().empty());
  CHECK(s.transcript_has("C: A1 LOGIN \"alice@example.test\" <redacted>"));
  CHECK_FALSE(s.transcript_contains("pa\\\"ss"));
}

TEST_CASE("mail: IMAP LOGIN sends an 8-bit password as a literal after the go-ahead") {
  ScriptedServer s({{'S', "* OK ready\r\n"},
                    {'C', "A1 LOGIN \"bob\" {5}"},
                    {'S', "+ OK\r\n"},
                    {'C', "p\xc3\xa4ss"},
                    {'S', "A1 OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n"}});
  ImapClient imap(s.connection());
  REQUIRE(imap.read_greeting());
  auto r = imap.authenticate(sasl::Mechanism::login, {"bob", "p\xc3\xa4ss", "", 0});
  REQUIRE(r);
  CHECK(r.value().ok);
  REQUIRE(imap.capabilities());
  CHECK(imap.capabilities()->has("IDLE"));
  CHECK(s.finish().empty());
}

TEST_CASE("mail: IMAP PLAIN: an unexpected second challenge is cancelled with *") {
  std::string ir = base64_encode(sasl::plain("alice", "pw").value());
  ScriptedServer s({{'S', "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready\r\n"},
                    {'C', "A1 AUTHENTICATE PLAIN " + ir},
                    {'S', "+ what\r\n"},
                    {'C', "*"},
                    {'S', "A1 BAD Authentication cancelled\r\n"}});
  ImapClient imap(s.connection());
  REQUIRE(imap.read_greeting());
  auto r = imap.authenticate(sasl::Mechanism::plain, {"alice", "pw", "", 0});
  REQUIRE(r);
  CHECK(r.value().response.status == "BAD");
  CHECK(s.finish().empty());
}

TEST_CASE("mail: IMAP SELECT reads UIDVALIDITY, UIDNEXT, EXISTS, NONEXISTENT is imap.mailbox_missing") {
  ScriptedServer s({{'S', "* OK ready\r\n"},
                    {'C', "A1 SELECT \"INBOX\""},
                    {'S',
                     "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
                     "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.\r\n"
                     "* 5000 EXISTS\r\n* 0 RECENT\r\n"
                     "* OK [UNSEEN 3] First unseen.\r\n"
                     "* OK [UIDVALIDITY 1732710000] UIDs valid\r\n"
                     "* OK [UIDNEXT 5001] Predicted next UID\r\n"
                     "* OK [HIGHESTMODSEQ 7021] Highest\r\n"
                     "A1 OK [READ-WRITE] Select completed (0.002 + 0.000 secs).\r\n"},
                    {'C', "A2 EXAMINE \"Archive\""},
                    {'S', "A2 NO [NONEXISTENT] Mailbox doesn't exist: Archive\r\n"},
                    {'C', "A3 SELECT \"INBOX\""},
                    {'S', "A3 NO [LIMIT] Too many open mailboxes\r\n"}});
  ImapClient imap(s.connection());
  REQUIRE(imap.read_greeting());
  auto box = imap.select("INBOX");
  REQUIRE(box);
  CHECK(box.value().exists == 5000u);
  CHECK(box.value().recent == 0u);
  CHECK(box.value().uidvalidity == 1732710000u);
  CHECK(box.value().uidnext == 5001u);
  CHECK(box.value().unseen == 3u);
  CHECK(box.value().highestmodseq == 7021u);
  CHECK(box.value().flags.size() == 5);
  CHECK(box.value().permanent_flags.size() == 6);
  CHECK_FALSE(box.value().read_only);
  auto missing = imap.examine("Archive");
  REQUIRE_FALSE(missing);
  CHECK(missing.failure().code == "imap.mailbox_missing");
  CHECK(missing.failure().detail.find("Mailbox doesn't exist") != std::string::npos);
  auto limited = imap.select("INBOX");
  REQUIRE_FALSE(limited);
  CHECK(limited.failure().code == "imap.throttled");
  CHECK(s.finish().empty());
}

TEST_CASE("mail: IMAP UID FETCH streams messages split into tiny pieces, with untagged data between") {
  std::vector<std::string> bodies = {"Subject: one\r\n\r\nHello\r\n", std::string(70000, 'x') + "\r\n",
                                     "Subject: three\r\n\r\n) A2 OK trick\r\n"};
  std::string reply;
  for (size_t i = 0; i < bodies.size(); ++i) {
    reply += "* " + std::to_string(i + 1) + " FETCH (UID " + std::to_string(100 + i) + " RFC822.SIZE " +
             std::to_string(bodies[i].size()) + " FLAGS (\\Seen) BODY[] {" + std::to_string(bodies[i].size()) +
             "}\r\n" + bodies[i] + ")\r\n";
    if (i == 0) reply += "* 4 EXISTS\r\n* 2 FETCH (FLAGS (\\Seen \\Flagged))\r\n";
  }
  reply += "A1 OK Fetch completed.\r\n";
  ScriptedServer s({{'C', "A1 UID FETCH 100:* (UID RFC822.SIZE FLAGS BODY.PEEK[])"}, {'S', reply}}, 3);
  ImapClient imap(s.connection());
  std::vector<std::pair<uint32_t, std::string>> got;
  auto r =
      imap.uid_fetch("100:*", "(UID RFC822.SIZE FLAGS BODY.PEEK[])", [&](imap::FetchedMessage& m) -> md::Result<void> {
        if (m.body()) got.emplace_back(*m.uid, *m.body());
        return {};
      });
  REQUIRE(r);
  CHECK(r.value().response.ok());
  CHECK(r.value().messages == 4);  // three messages and one flags update
  REQUIRE(got.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(got[i].first == 100 + i);
    CHECK(got[i].second == bodies[i]);
  }
  CHECK(s.transcript_has("S: {70002 bytes}"));
  CHECK(s.finish().empty());
}

TEST_CASE("mail: IMAP UID FETCH: a cut connection, a garbage line and a refusing callback stop it") {
  {
    ScriptedServer s({{'C', "?"}, {'S', "* 1 FETCH (UID 1 BODY[] {100}\r\nonly a few bytes"}});
    ImapClient imap(s.connection());
    auto r = imap.uid_fetch("1:*", "(UID BODY.PEEK[])", [](imap::FetchedMessage&) -> md::Result<void> { return {}; });
    REQUIRE_FALSE(r);
    CHECK(r.failure().code == "protocol.connection_lost");
  }
  {
    ScriptedServer s({{'C', "?"}, {'S', "* 1 FETCH (UID one)\r\n"}});
    ImapClient imap(s.connection());
    auto r = imap.uid_fetch("1:*", "(UID)", [](imap::FetchedMessage&) -> md::Result<void> { return {}; });
    REQUIRE_FALSE(r);
    CHECK(r.failure().code == "protocol.bad_response");
  }
  {
    ScriptedServer s(
        {{'C', "?"}, {'S', "* 1 FETCH (UID 1 BODY[] {3}\r\nabc)\r\n* 2 FETCH (UID 2 BODY[] {3}\r\ndef)\r\n"}});
    ImapClient imap(s.connection());
    int calls = 0;
    auto r = imap.uid_fetch("1:*", "(UID BODY.PEEK[])", [&](imap::FetchedMessage&) -> md::Result<void> {
      ++calls;
      return md::fail("store.disk_full", "no space");
    });
    REQUIRE_FALSE(r);
    CHECK(r.failure().code == "store.disk_full");
    CHECK(calls == 1);
    CHECK_FALSE(imap.connection().is_open());
  }
  {
    ImapClient imap(Connection{});
    CHECK(imap.uid_fetch("1:* (BODY[])", "x", {}).failure().code == "protocol.bad_response");
  }
}

TEST_CASE("mail: IMAP STARTTLS refused is tls.starttls_unavailable, LOGOUT tolerates a hang-up after BYE") {
  ScriptedServer s({{'S', "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=LOGIN] MailDoctor lab IMAP without STARTTLS\r\n"},
                    {'C', "A1 STARTTLS"},
                    {'S', "A1 BAD STARTTLS is not supported here.\r\n"},
                    {'C', "A2 LOGOUT"},
                    {'S', "* BYE Logging out\r\n"}});
  ImapClient imap(s.connection());
  auto g = imap.read_greeting();
  REQUIRE(g);
  CHECK_FALSE(g.value().capabilities->starttls());
  auto tls = imap.starttls(TlsOptions{"localhost", "", true});
  REQUIRE_FALSE(tls);
  CHECK(tls.failure().code == "tls.starttls_unavailable");
  CHECK(imap.logout());
  CHECK(s.finish().empty());
}

TEST_CASE("mail: IMAP STARTTLS with bytes injected after the OK is refused") {
  ScriptedServer s({{'C', "A1 STARTTLS"}, {'S', "A1 OK Begin TLS negotiation now.\r\n* OK injected\r\n"}}, 1000);
  ImapClient imap(s.connection());
  // The script sends both lines in one piece, so they arrive together: the extra line is refused
  // before any handshake (were they split, the handshake with a closed peer fails instead).
  auto tls = imap.starttls(TlsOptions{"localhost", "", true});
  REQUIRE_FALSE(tls);
  CHECK((tls.failure().code == "protocol.bad_response" || tls.failure().code == "tls.handshake_failed"));
}

// ---------------------------------------------------------------------------------------------- POP3

TEST_CASE("mail: POP3 XOAUTH2 the Microsoft way: initial response after +, challenge, -ERR [AUTH]") {
  ScriptedServer s({{'S', "+OK The Microsoft Exchange POP3 service is ready.\r\n"},
                    {'C', "CAPA"},
                    {'S', "+OK\r\nTOP\r\nUIDL\r\nSASL PLAIN XOAUTH2\r\nUSER\r\n.\r\n"},
                    {'C', "AUTH XOAUTH2"},
                    {'S', "+ \r\n"},
                    {'C', xoauth2_b64()},
                    {'S', "+ " + kGmailChallenge + "\r\n"},
                    {'C', ""},
                    {'S', "-ERR [AUTH] Authentication failed.\r\n"}});
  Pop3Client pop(s.connection());
  auto g = pop.read_greeting();
  REQUIRE(g);
  CHECK(g.value().ok);
  auto caps = pop.capa();
  REQUIRE(caps);
  CHECK(caps.value().supports(sasl::Mechanism::xoauth2));
  CHECK_FALSE(caps.value().stls());
  auto r = pop.authenticate(sasl::Mechanism::xoauth2, kAlice);
  REQUIRE(r);
  CHECK_FALSE(r.value().ok);
  CHECK(r.value().reply.code == "AUTH");
  REQUIRE(r.value().challenge);
  CHECK(r.value().challenge->status == "400");
  CHECK(s.finish().empty());
  CHECK_FALSE(s.transcript_contains(xoauth2_b64()));
  CHECK_FALSE(s.transcript_contains("tok-SECRET"));
}

TEST_CASE("mail: POP3 USER/PASS refused, greeting that is not POP3") {
  {
    ScriptedServer s({{'S', "+OK ready\r\n"},
                      {'C', "USER alice"},
                      {'S', "+OK\r\n"},
                      {'C', "PASS pw-secret"},
                      {'S', "-ERR Authentication failure: unknown user name or bad password.\r\n"}});
    Pop3Client pop(s.connection());
    REQUIRE(pop.read_greeting());
    auto r = pop.user_pass("alice", "pw-secret");
    REQUIRE(r);
    CHECK_FALSE(r.value().ok);
    CHECK(r.value().reply.text == "Authentication failure: unknown user name or bad password.");
    CHECK(s.finish().empty());
    CHECK(s.transcript_has("C: PASS <redacted>"));
    CHECK_FALSE(s.transcript_contains("pw-secret"));
  }
  {
    ScriptedServer s({{'S', "* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n"}});
    Pop3Client pop(s.connection());
    CHECK(pop.read_greeting().failure().code == "protocol.unexpected_greeting");
  }
}

TEST_CASE("mail: POP3 STAT, UIDL and RETR with dot-unstuffing, byte for byte") {
  std::string message = "From: a@example.test\r\nSubject: dots\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nend\r\n";
  std::string wire =
      "+OK 77 octets\r\nFrom: a@example.test\r\nSubject: dots\r\n\r\n..leading dot\r\n...two dots\r\n"
      "..\r\nend\r\n.\r\n";
  ScriptedServer s({{'C', "STAT"},
                    {'S', "+OK 2 4096\r\n"},
                    {'C', "UIDL"},
                    {'S', "+OK\r\n1 000000015f6e4ab1\r\n2 000000025f6e4ab1\r\n.\r\n"},
                    {'C', "RETR 1"},
                    {'S', wire},
                    {'C', "RETR 2"},
                    {'S', "-ERR [SYS/TEMP] Message is being delivered\r\n"},
                    {'C', "QUIT"},
                    {'S', "+OK Logging out.\r\n"}},
                   2);
  Pop3Client pop(s.connection());
  auto st = pop.stat();
  REQUIRE(st);
  CHECK(st.value().messages == 2);
  CHECK(st.value().octets == 4096);
  auto ids = pop.uidl();
  REQUIRE(ids);
  REQUIRE(ids.value().size() == 2);
  CHECK(ids.value()[1].number == 2);
  CHECK(ids.value()[1].uid == "000000025f6e4ab1");
  auto m = pop.retr(1);
  REQUIRE(m);
  CHECK(m.value() == message);
  auto refused = pop.retr(2);
  REQUIRE_FALSE(refused);
  CHECK(refused.failure().code == "imap.throttled");
  CHECK(pop.quit());
  CHECK(s.finish().empty());
}

TEST_CASE("mail: POP3 RETR cut short and a malformed STAT are errors") {
  {
    ScriptedServer s({{'C', "RETR 1"}, {'S', "+OK\r\nSubject: x\r\n\r\nbody without its end"}});
    Pop3Client pop(s.connection());
    CHECK(pop.retr(1).failure().code == "protocol.connection_lost");
  }
  {
    ScriptedServer s({{'C', "STAT"}, {'S', "+OK lots\r\n"}});
    Pop3Client pop(s.connection());
    CHECK(pop.stat().failure().code == "protocol.bad_response");
  }
  {
    ScriptedServer s({{'C', "UIDL"}, {'S', "+OK\r\n1\r\n.\r\n"}});
    Pop3Client pop(s.connection());
    CHECK(pop.uidl().failure().code == "protocol.bad_response");
  }
}

// ---------------------------------------------------------------------------------------------- SMTP

TEST_CASE("mail: SMTP session: greeting, EHLO, XOAUTH2 refused with a 334 challenge, LOGIN accepted, a message") {
  std::string message = "From: a@example.test\nTo: b@example.test\nSubject: test\n\n.hidden dot\nbye\n";
  const size_t wire_size = dot_stuff(message).size();
  ScriptedServer s({{'S', "220-smtp.example.test ESMTP\r\n220 ready\r\n"},
                    {'C', "EHLO maildoctor.local"},
                    {'S',
                     "250-smtp.example.test\r\n250-SIZE 1000000\r\n250-AUTH PLAIN LOGIN XOAUTH2\r\n250 "
                     "ENHANCEDSTATUSCODES\r\n"},
                    {'C', "AUTH XOAUTH2 " + xoauth2_b64()},
                    {'S', "334 " + kGmailChallenge + "\r\n"},
                    {'C', ""},
                    {'S',
                     "535-5.7.8 Username and Password not accepted. For more information, go to\r\n"
                     "535 5.7.8  https://support.google.com/mail/?p=BadCredentials - gsmtp\r\n"},
                    {'C', "AUTH LOGIN"},
                    {'S', "334 VXNlcm5hbWU6\r\n"},
                    {'C', base64_encode("alice")},
                    {'S', "334 UGFzc3dvcmQ6\r\n"},
                    {'C', base64_encode("pw")},
                    {'S', "235 2.7.0 Authentication successful\r\n"},
                    {'C', "MAIL FROM:<a@example.test> SIZE=" + std::to_string(wire_size)},
                    {'S', "250 2.1.0 Ok\r\n"},
                    {'C', "RCPT TO:<b@example.test>"},
                    {'S', "250 2.1.5 Ok\r\n"},
                    {'C', "DATA"},
                    {'S', "354 End data with <CR><LF>.<CR><LF>\r\n"},
                    {'C', "From: a@example.test"},
                    {'C', "To: b@example.test"},
                    {'C', "Subject: test"},
                    {'C', ""},
                    {'C', "..hidden dot"},
                    {'C', "bye"},
                    {'C', "."},
                    {'S', "250 2.0.0 Ok: queued as 12345\r\n"},
                    {'C', "QUIT"},
                    {'S', "221 2.0.0 Bye\r\n"}});
  SmtpClient smtp(s.connection());
  auto g = smtp.read_greeting();
  REQUIRE(g);
  CHECK(g.value().code == 220);
  auto ext = smtp.ehlo("maildoctor.local");
  REQUIRE(ext);
  CHECK(ext.value().size == 1000000u);
  auto refused = smtp.authenticate(sasl::Mechanism::xoauth2, kAlice);
  REQUIRE(refused);
  CHECK_FALSE(refused.value().ok);
  CHECK(refused.value().reply.code == 535);
  CHECK(refused.value().reply.enhanced == "5.7.8");
  REQUIRE(refused.value().challenge);
  CHECK(refused.value().challenge->status == "400");
  auto ok = smtp.authenticate(sasl::Mechanism::login, {"alice", "pw", "", 0});
  REQUIRE(ok);
  CHECK(ok.value().ok);
  auto sent = smtp.send_message("a@example.test", {"b@example.test"}, message);
  REQUIRE(sent);
  CHECK(sent.value().text() == "Ok: queued as 12345");
  CHECK(smtp.quit());
  CHECK(s.finish().empty());
  CHECK(s.transcript_has("C: AUTH XOAUTH2 <redacted>"));
  CHECK_FALSE(s.transcript_contains(xoauth2_b64()));
  CHECK_FALSE(s.transcript_contains(base64_encode("pw")));
  CHECK(s.transcript_has("C: {" + std::to_string(wire_size - 3) + " bytes}"));
}

TEST_CASE("mail: SMTP greeting and refusals: not SMTP, STARTTLS refused, recipient refused") {
  {
    ScriptedServer s({{'S', "* OK [CAPABILITY IMAP4rev1] ready\r\n"}});
    SmtpClient smtp(s.connection());
    CHECK(smtp.read_greeting().failure().code == "protocol.unexpected_greeting");
  }
  {
    ScriptedServer s({{'S', "+OK POP3 ready\r\n"}});
    SmtpClient smtp(s.connection());
    CHECK(smtp.read_greeting().failure().code == "protocol.unexpected_greeting");
  }
  {
    ScriptedServer s({{'C', "STARTTLS"},
                      {'S', "454 4.7.0 TLS not available due to local problem\r\n"},
                      {'C', "MAIL FROM:<a@example.test>"},
                      {'S', "250 Ok\r\n"},
                      {'C', "RCPT TO:<nobody@example.test>"},
                      {'S', "550 5.1.1 <nobody@example.test>: Recipient address rejected\r\n"}});
    SmtpClient smtp(s.connection());
    CHECK(smtp.starttls(TlsOptions{"localhost", "", true}).failure().code == "tls.starttls_unavailable");
    auto r = smtp.send_message("a@example.test", {"nobody@example.test"}, "x");
    REQUIRE_FALSE(r);
    CHECK(r.failure().code == "smtp.rejected");
    CHECK(r.failure().detail.find("5.1.1") != std::string::npos);
    CHECK(s.finish().empty());
  }
}

// ------------------------------------------------------------------------------------ reply limits

TEST_CASE("mail: a POP3 UIDL that never ends is protocol.reply_too_large at the line limit, not memory") {
  std::string flood = "+OK\r\n";
  for (int i = 1; i <= 500; ++i) flood += std::to_string(i) + " uid-" + std::to_string(i) + "\r\n";
  ScriptedServer s({{'C', "UIDL"}, {'S', flood}}, 4096);
  Pop3Client pop(s.connection());
  ReplyLimits limits;
  limits.max_lines = 100;
  pop.set_reply_limits(limits);
  auto ids = pop.uidl();
  REQUIRE_FALSE(ids);
  CHECK(ids.failure().code == "protocol.reply_too_large");
  CHECK_FALSE(pop.connection().is_open());
  (void)s.finish();
  // The byte limit holds too, whatever the line count.
  ScriptedServer bytes({{'C', "CAPA"}, {'S', "+OK\r\n" + std::string(3000, 'X') + "\r\nTOP\r\n.\r\n"}}, 4096);
  Pop3Client pop2(bytes.connection());
  limits = {};
  limits.max_bytes = 1000;
  pop2.set_reply_limits(limits);
  auto caps = pop2.capa();
  REQUIRE_FALSE(caps);
  CHECK(caps.failure().code == "protocol.reply_too_large");
  (void)bytes.finish();
}

TEST_CASE("mail: IMAP untagged responses and literals without end are protocol.reply_too_large") {
  std::string flood;
  for (int i = 0; i < 300; ++i) flood += "* SEARCH " + std::to_string(i) + "\r\n";
  ScriptedServer s({{'C', "A1 UID SEARCH ALL"}, {'S', flood + "A1 OK done\r\n"}}, 4096);
  ImapClient imap(s.connection());
  ReplyLimits limits;
  limits.max_lines = 100;
  imap.set_reply_limits(limits);
  size_t seen = 0;
  auto r = imap.command("UID SEARCH ALL", [&](std::string_view) { ++seen; });
  REQUIRE_FALSE(r);
  CHECK(r.failure().code == "protocol.reply_too_large");
  CHECK(seen == 100);
  (void)s.finish();

  // One response made of endless small literals: the response-size limit stops it.
  std::string literals = "* LIST () \"/\" {10}\r\n";
  for (int i = 0; i < 200; ++i) literals += "0123456789 {10}\r\n";
  ScriptedServer lit({{'C', "A1 LIST \"\" *"}, {'S', literals}}, 4096);
  ImapClient imap2(lit.connection());
  limits = {};
  limits.max_response_bytes = 1000;
  imap2.set_reply_limits(limits);
  auto l = imap2.command("LIST \"\" *");
  REQUIRE_FALSE(l);
  CHECK(l.failure().code == "protocol.reply_too_large");
  (void)lit.finish();

  // The keyword is the server's text: a NUL or a control byte in it must not reach the one-line
  // failure (found by fuzz/reply_flood).
  std::string odd = std::string("* LI") + '\0' + "\x1c {10}\r\n";
  for (int i = 0; i < 200; ++i) odd += "0123456789 {10}\r\n";
  ScriptedServer raw({{'C', "A1 LIST \"\" *"}, {'S', odd}}, 4096);
  ImapClient imap3(raw.connection());
  imap3.set_reply_limits(limits);
  auto o = imap3.command("LIST \"\" *");
  REQUIRE_FALSE(o);
  CHECK(o.failure().code == "protocol.reply_too_large");
  CHECK(o.failure().detail.find('\0') == std::string::npos);
  CHECK(o.failure().detail.find('\x1c') == std::string::npos);
  (void)raw.finish();
}
