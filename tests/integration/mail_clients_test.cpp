// core/mail's clients against the lab's real servers (tests/lab): Dovecot IMAP/POP3/submission
// with XOAUTH2, OAUTHBEARER, PLAIN and LOGIN, the SMTP sink behind submission, and the broken
// ports. Run by mail_clients_test.sh, which starts a lab of its own, seeds alice's INBOX and gets
// a real access token; it passes them in the environment:
//   MAIL_LAB_ENV (lab.env), MAIL_LAB_TOKEN, MAIL_LAB_SEEDED (messages seeded), MAIL_LAB_MAILDIR.
// The last case times one UID FETCH of the whole INBOX and prints it (no timed assertion).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "mail/imap_client.h"
#include "mail/pop3_client.h"
#include "mail/smtp_client.h"

using namespace md::mail;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

struct Lab {
  std::map<std::string, std::string> env;
  std::string token;
  uint32_t seeded = 0;
  fs::path maildir;

  Lab() {
    std::ifstream in(env_or_empty("MAIL_LAB_ENV"));
    for (std::string line; std::getline(in, line);) {
      size_t eq = line.find('=');
      if (eq != std::string::npos && line[0] != '#') env[line.substr(0, eq)] = line.substr(eq + 1);
    }
    token = env_or_empty("MAIL_LAB_TOKEN");
    seeded = static_cast<uint32_t>(std::atoi(env_or_empty("MAIL_LAB_SEEDED").c_str()));
    maildir = env_or_empty("MAIL_LAB_MAILDIR");
  }
  std::string operator[](const std::string& key) const {
    auto it = env.find(key);
    return it == env.end() ? std::string() : it->second;
  }
  uint16_t port(const std::string& key) const {
    std::string v = (*this)[key];
    REQUIRE_MESSAGE(!v.empty(), key << " missing: is MAIL_LAB_ENV a running lab's lab.env?");
    return static_cast<uint16_t>(std::stoi(v));
  }
  TlsOptions tls(std::string host = "localhost", bool verify = true) const {
    return TlsOptions{std::move(host), (*this)["LAB_CA_FILE"], verify};
  }
  sasl::Credentials alice(std::string secret = {}) const {
    return sasl::Credentials{(*this)["LAB_USER"], secret.empty() ? token : secret, "localhost", port("LAB_IMAPS_PORT")};
  }
};

const Lab& lab() {
  static Lab l;
  return l;
}

// Every line of every conversation, to check that no secret reached the transcript.
std::vector<std::string>& transcript() {
  static std::vector<std::string> lines;
  return lines;
}

md::Result<Connection> open(const std::string& host, uint16_t port, std::chrono::milliseconds timeout = 10s) {
  auto addresses = resolve(host, port, timeout);
  if (!addresses) return addresses.failure();
  Connection c;
  c.set_timeout(timeout);
  c.set_transcript([](md::protolog::Direction, std::string_view line) { transcript().emplace_back(line); });
  if (auto r = c.connect(addresses.value()); !r) return r.failure();
  return c;
}

Connection open_tls(uint16_t port, const TlsOptions& tls) {
  auto c = open(tls.host, port);
  REQUIRE_MESSAGE(c, c.failure().code << ": " << c.failure().detail);
  auto info = c.value().start_tls(tls);
  REQUIRE_MESSAGE(info, info.failure().code << ": " << info.failure().detail);
  return std::move(c).value();
}

// The seeded files as the servers deliver them (LF → CRLF), to compare byte for byte.
const std::multiset<std::string>& seeded_messages() {
  static std::multiset<std::string> all = [] {
    std::multiset<std::string> out;
    for (const auto& e : fs::directory_iterator(lab().maildir / "cur")) {
      std::ifstream in(e.path(), std::ios::binary);
      std::string raw((std::istreambuf_iterator<char>(in)), {}), crlf;
      crlf.reserve(raw.size() + raw.size() / 40);
      for (char c : raw) {
        if (c == '\n') crlf += '\r';
        crlf += c;
      }
      out.insert(std::move(crlf));
    }
    return out;
  }();
  return all;
}

ImapClient imaps_signed_in(sasl::Mechanism m, const sasl::Credentials& who) {
  ImapClient imap(open_tls(lab().port("LAB_IMAPS_PORT"), lab().tls()));
  auto g = imap.read_greeting();
  REQUIRE(g);
  REQUIRE(imap.capability());
  auto r = imap.authenticate(m, who);
  REQUIRE(r);
  CHECK_MESSAGE(r.value().ok, r.value().response.line);
  return imap;
}

}  // namespace

TEST_CASE("mail lab: IMAPS sign-in with XOAUTH2, OAUTHBEARER and PLAIN, then SELECT INBOX") {
  REQUIRE_FALSE(lab().token.empty());
  for (auto m :
       {sasl::Mechanism::xoauth2, sasl::Mechanism::oauthbearer, sasl::Mechanism::plain, sasl::Mechanism::login}) {
    CAPTURE(sasl::name(m));
    auto who = sasl::is_bearer(m) ? lab().alice() : lab().alice(lab()["LAB_PASSWORD"]);
    ImapClient imap = imaps_signed_in(m, who);
    auto box = imap.select("INBOX");
    REQUIRE_MESSAGE(box, box.failure().detail);
    CHECK(box.value().exists == lab().seeded);
    CHECK(box.value().uidnext == lab().seeded + 1);
    REQUIRE(box.value().uidvalidity);
    CHECK(*box.value().uidvalidity > 0u);
    CHECK(imap.logout());
  }
  // By IP address: the lab certificate names 127.0.0.1 too.
  ImapClient by_ip(open_tls(lab().port("LAB_IMAPS_PORT"), lab().tls("127.0.0.1")));
  CHECK(by_ip.read_greeting());
}

TEST_CASE("mail lab: STARTTLS on the plain IMAP port, then PLAIN and EXAMINE") {
  auto c = open("localhost", lab().port("LAB_IMAP_STARTTLS_PORT"));
  REQUIRE(c);
  ImapClient imap(std::move(c).value());
  REQUIRE(imap.read_greeting());
  auto before = imap.capability();
  REQUIRE(before);
  CHECK(before.value().starttls());
  auto tls = imap.starttls(lab().tls());
  REQUIRE_MESSAGE(tls, tls.failure().detail);
  CHECK(tls.value().verified);
  CHECK(tls.value().subject.find("CN=localhost") != std::string::npos);
  CHECK_FALSE(imap.capabilities());
  auto after = imap.capability();
  REQUIRE(after);
  CHECK_FALSE(after.value().starttls());
  auto r = imap.authenticate(sasl::Mechanism::plain, lab().alice(lab()["LAB_PASSWORD"]));
  REQUIRE(r);
  CHECK(r.value().ok);
  auto box = imap.examine("INBOX");
  REQUIRE(box);
  CHECK(box.value().read_only);
  CHECK(box.value().exists == lab().seeded);
  auto missing = imap.examine("No Such Folder");
  REQUIRE_FALSE(missing);
  CHECK(missing.failure().code == "imap.mailbox_missing");
}

TEST_CASE("mail lab: a wrong token: decoded challenge and NO [AUTHENTICATIONFAILED]") {
  ImapClient imap(open_tls(lab().port("LAB_IMAPS_PORT"), lab().tls()));
  REQUIRE(imap.read_greeting());
  auto r = imap.authenticate(sasl::Mechanism::xoauth2, lab().alice("not-a-real-token"));
  REQUIRE(r);
  CHECK_FALSE(r.value().ok);
  CHECK(r.value().response.status == "NO");
  CHECK(r.value().response.code == "AUTHENTICATIONFAILED");
  REQUIRE_MESSAGE(r.value().challenge, r.value().challenge_error);
  CHECK(r.value().challenge->status == "401");
  CHECK(r.value().challenge->schemes == "bearer");
  CHECK(r.value().challenge->scope == "mail");
  CHECK(r.value().challenge->openid_configuration.find("/.well-known/openid-configuration") != std::string::npos);

  auto bearer = imap.authenticate(sasl::Mechanism::oauthbearer, lab().alice("not-a-real-token"));
  REQUIRE(bearer);
  CHECK_FALSE(bearer.value().ok);
  REQUIRE(bearer.value().challenge);
  CHECK(bearer.value().challenge->status == "invalid_token");

  auto password = imap.authenticate(sasl::Mechanism::plain, lab().alice("wrong-password"));
  REQUIRE(password);
  CHECK_FALSE(password.value().ok);
  CHECK(password.value().response.code == "AUTHENTICATIONFAILED");
  CHECK_FALSE(password.value().challenge);
}

TEST_CASE("mail lab: POP3S XOAUTH2, STAT, UIDL, RETR byte for byte; STLS with PLAIN") {
  Pop3Client pop(open_tls(lab().port("LAB_POP3S_PORT"), lab().tls()));
  auto g = pop.read_greeting();
  REQUIRE(g);
  CHECK(g.value().ok);
  auto caps = pop.capa();
  REQUIRE(caps);
  CHECK(caps.value().supports(sasl::Mechanism::xoauth2));
  auto r = pop.authenticate(sasl::Mechanism::xoauth2, lab().alice());
  REQUIRE(r);
  REQUIRE_MESSAGE(r.value().ok, r.value().reply.line);
  auto st = pop.stat();
  REQUIRE(st);
  CHECK(st.value().messages == lab().seeded);
  auto ids = pop.uidl();
  REQUIRE(ids);
  CHECK(ids.value().size() == lab().seeded);
  std::set<std::string> unique;
  for (const auto& id : ids.value()) unique.insert(id.uid);
  CHECK(unique.size() == ids.value().size());
  uint64_t octets = 0;
  const uint32_t n = st.value().messages;
  // Every 50th message and the last one (5000 round trips would only repeat the point).
  std::vector<uint32_t> picks;
  for (uint32_t i = 1; i <= n; i += 50) picks.push_back(i);
  if (n > 0 && picks.back() != n) picks.push_back(n);
  for (uint32_t i : picks) {
    auto m = pop.retr(i);
    REQUIRE(m);
    octets += m.value().size();
    CHECK_MESSAGE(seeded_messages().count(m.value()) == 1, "message " << i << " differs from every seeded file");
  }
  CHECK(octets > 0);
  CHECK(pop.quit());

  auto c = open("localhost", lab().port("LAB_POP3_STARTTLS_PORT"));
  REQUIRE(c);
  Pop3Client plain(std::move(c).value());
  REQUIRE(plain.read_greeting());
  auto before = plain.capa();
  REQUIRE(before);
  CHECK(before.value().stls());
  REQUIRE(plain.stls(lab().tls()));
  auto pw = plain.authenticate(sasl::Mechanism::plain, lab().alice(lab()["LAB_PASSWORD"]));
  REQUIRE(pw);
  CHECK(pw.value().ok);
  CHECK(plain.stat().value().messages == lab().seeded);

  auto bad = open_tls(lab().port("LAB_POP3S_PORT"), lab().tls());
  Pop3Client wrong(std::move(bad));
  REQUIRE(wrong.read_greeting());
  auto refused = wrong.authenticate(sasl::Mechanism::xoauth2, lab().alice("not-a-real-token"));
  REQUIRE(refused);
  CHECK_FALSE(refused.value().ok);
  CHECK(refused.value().reply.code == "AUTH");
  REQUIRE(refused.value().challenge);
  CHECK(refused.value().challenge->status == "401");
}

TEST_CASE("mail lab: SMTP submission: STARTTLS, EHLO again, XOAUTH2, a test message reaches the sink") {
  auto c = open("localhost", lab().port("LAB_SUBMISSION_PORT"));
  REQUIRE(c);
  SmtpClient smtp(std::move(c).value());
  auto g = smtp.read_greeting();
  REQUIRE(g);
  CHECK(g.value().code == 220);
  auto ext = smtp.ehlo("maildoctor-test.localhost");
  REQUIRE(ext);
  CHECK(ext.value().starttls());
  REQUIRE(smtp.starttls(lab().tls()));
  auto ext2 = smtp.ehlo("maildoctor-test.localhost");
  REQUIRE(ext2);
  CHECK(ext2.value().supports(sasl::Mechanism::xoauth2));
  CHECK_FALSE(ext2.value().starttls());

  auto wrong = smtp.authenticate(sasl::Mechanism::xoauth2, lab().alice("not-a-real-token"));
  REQUIRE(wrong);
  CHECK_FALSE(wrong.value().ok);
  CHECK(wrong.value().reply.code == 535);
  CHECK(wrong.value().reply.enhanced == "5.7.8");
  REQUIRE(wrong.value().challenge);
  CHECK(wrong.value().challenge->status == "401");

  auto r = smtp.authenticate(sasl::Mechanism::xoauth2, lab().alice());
  REQUIRE(r);
  REQUIRE_MESSAGE(r.value().ok, r.value().reply.raw);
  const std::string marker = "maildoctor-mail-test-" + std::to_string(Clock::now().time_since_epoch().count());
  const std::string message = "From: " + lab()["LAB_USER"] + "\nTo: " + lab()["LAB_USER2"] + "\nSubject: " + marker +
                              "\n\nA line.\n.A line that starts with a dot.\n.\nThe end.\n";
  auto sent = smtp.send_message(lab()["LAB_USER"], {lab()["LAB_USER2"]}, message);
  REQUIRE_MESSAGE(sent, sent.failure().detail);
  CHECK(sent.value().code == 250);
  CHECK(smtp.quit());

  // The sink writes <n>.eml atomically: poll for ours, bounded.
  std::string delivered;
  for (auto deadline = Clock::now() + 15s; delivered.empty() && Clock::now() < deadline;) {
    for (const auto& e : fs::directory_iterator(lab()["LAB_SINK_DIR"])) {
      if (e.path().extension() != ".eml") continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::string text((std::istreambuf_iterator<char>(in)), {});
      if (text.find(marker) != std::string::npos) delivered = text;
    }
    if (delivered.empty()) std::this_thread::sleep_for(50ms);
  }
  REQUIRE_FALSE(delivered.empty());
  CHECK(delivered.find("\r\n\r\nA line.\r\n.A line that starts with a dot.\r\n.\r\nThe end.\r\n") != std::string::npos);
}

TEST_CASE("mail lab: each broken port gives its code") {
  auto tls_code = [](const char* port_key, const std::string& host = "localhost") {
    auto c = open(host, lab().port(port_key));
    REQUIRE(c);
    auto r = c.value().start_tls(lab().tls(host));
    return std::pair{r ? std::string("ok") : r.failure().code, c.value().tls_info()};
  };
  auto [expired, expired_info] = tls_code("LAB_EXPIRED_TLS_PORT");
  CHECK(expired == "tls.cert_expired");
  REQUIRE(expired_info);
  CHECK(expired_info->not_after.starts_with("2021-01-01"));
  CHECK(tls_code("LAB_MISMATCH_TLS_PORT").first == "tls.hostname_mismatch");
  CHECK(tls_code("LAB_MISMATCH_TLS_PORT", "127.0.0.1").first == "tls.hostname_mismatch");
  CHECK(tls_code("LAB_UNTRUSTED_TLS_PORT").first == "tls.cert_untrusted");
  CHECK(tls_code("LAB_NOTYETVALID_TLS_PORT").first == "tls.cert_not_yet_valid");

  // Verification off: the expired port relays to a working IMAP server.
  ImapClient relayed(open_tls(lab().port("LAB_EXPIRED_TLS_PORT"), lab().tls("localhost", false)));
  CHECK(relayed.read_greeting());

  // Silent: connected, nothing said; no_greeting within timeout + 2 s.
  auto silent = open("127.0.0.1", lab().port("LAB_SILENT_PORT"), 2s);
  REQUIRE(silent);
  ImapClient quiet(std::move(silent).value());
  auto t0 = Clock::now();
  auto g = quiet.read_greeting();
  REQUIRE_FALSE(g);
  CHECK(g.failure().code == "protocol.no_greeting");
  CHECK(Clock::now() - t0 < 30s);  // catches a hang; the code proves the deadline
  // TLS to the silent port: the handshake's deadline.
  auto silent_tls = open("127.0.0.1", lab().port("LAB_SILENT_PORT"), 2s);
  REQUIRE(silent_tls);
  t0 = Clock::now();
  CHECK(silent_tls.value().start_tls(lab().tls()).failure().code == "tls.timeout");
  CHECK(Clock::now() - t0 < 30s);
  // Plain IMAP spoken to the implicit-TLS port: the server waits for a ClientHello.
  auto plain_to_tls = open("127.0.0.1", lab().port("LAB_IMAPS_PORT"), 2s);
  REQUIRE(plain_to_tls);
  ImapClient confused(std::move(plain_to_tls).value());
  CHECK(confused.read_greeting().failure().code == "protocol.no_greeting");
  // TLS spoken to a plaintext port.
  auto tls_to_plain = open("127.0.0.1", lab().port("LAB_IMAP_STARTTLS_PORT"));
  REQUIRE(tls_to_plain);
  CHECK(tls_to_plain.value().start_tls(lab().tls()).failure().code == "tls.handshake_failed");

  auto closed = open("127.0.0.1", lab().port("LAB_CLOSED_PORT"));
  REQUIRE_FALSE(closed);
  CHECK(closed.failure().code == "tcp.refused");

  // No STARTTLS: reported in the capabilities; the server refuses the command.
  auto nostarttls = open("127.0.0.1", lab().port("LAB_IMAP_NO_STARTTLS_PORT"));
  REQUIRE(nostarttls);
  ImapClient bare(std::move(nostarttls).value());
  auto bg = bare.read_greeting();
  REQUIRE(bg);
  REQUIRE(bg.value().capabilities);
  CHECK_FALSE(bg.value().capabilities->starttls());
  auto caps = bare.capability();
  REQUIRE(caps);
  CHECK_FALSE(caps.value().starttls());
  CHECK(bare.starttls(lab().tls()).failure().code == "tls.starttls_unavailable");

  // An SMTP server where IMAP was expected.
  auto smtp_port = open("127.0.0.1", lab().port("LAB_SUBMISSION_PORT"));
  REQUIRE(smtp_port);
  ImapClient wrong_protocol(std::move(smtp_port).value());
  CHECK(wrong_protocol.read_greeting().failure().code == "protocol.unexpected_greeting");
}

TEST_CASE("mail lab: a user without a mailbox is refused (PLAIN)") {
  ImapClient imap(open_tls(lab().port("LAB_IMAPS_PORT"), lab().tls()));
  REQUIRE(imap.read_greeting());
  auto r = imap.authenticate(sasl::Mechanism::plain,
                             sasl::Credentials{lab()["LAB_USER_NO_MAILBOX"], lab()["LAB_PASSWORD_NO_MAILBOX"], "", 0});
  REQUIRE(r);
  CHECK_FALSE(r.value().ok);
}

TEST_CASE("mail lab: one UID FETCH of the whole INBOX, timed, then every message byte for byte") {
  ImapClient imap = imaps_signed_in(sasl::Mechanism::plain, lab().alice(lab()["LAB_PASSWORD"]));
  auto box = imap.examine("INBOX");
  REQUIRE(box);
  const std::string items = "(UID RFC822.SIZE FLAGS BODY.PEEK[])";

  // Timed: bytes counted and dropped, like writing to /dev/null. No transcript on this run.
  imap.connection().set_transcript({});
  uint64_t bytes = 0;
  auto t0 = Clock::now();
  auto timed = imap.uid_fetch("1:*", items, [&](imap::FetchedMessage& m) -> md::Result<void> {
    bytes += m.body() ? m.body()->size() : 0;
    return {};
  });
  double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  REQUIRE_MESSAGE(timed, timed.failure().detail);
  CHECK(timed.value().messages == lab().seeded);
  MESSAGE("UID FETCH 1:* " << items << " over IMAPS: " << timed.value().messages << " messages, "
                           << static_cast<double>(bytes) / (1024 * 1024) << " MiB in " << seconds << " s");

  std::multiset<std::string> left = seeded_messages();
  uint64_t mismatched = 0, size_wrong = 0;
  auto r = imap.uid_fetch("1:*", items, [&](imap::FetchedMessage& m) -> md::Result<void> {
    const std::string* body = m.body();
    if (!body) return md::fail("protocol.bad_response", "a FETCH without a body");
    if (m.rfc822_size != body->size()) ++size_wrong;
    auto it = left.find(*body);
    if (it == left.end())
      ++mismatched;
    else
      left.erase(it);
    return {};
  });
  REQUIRE_MESSAGE(r, r.failure().detail);
  CHECK(r.value().response.ok());
  CHECK(r.value().messages == lab().seeded);
  CHECK(mismatched == 0);
  CHECK(size_wrong == 0);
  CHECK(left.empty());
  CHECK(imap.logout());
}

TEST_CASE("mail lab: no token or password in any transcript line") {
  REQUIRE_FALSE(transcript().empty());
  const std::string secrets[] = {lab().token, lab()["LAB_PASSWORD"], "not-a-real-token", "wrong-password"};
  for (const std::string& line : transcript())
    for (const std::string& s : secrets) CHECK_MESSAGE(line.find(s) == std::string::npos, line);
}
