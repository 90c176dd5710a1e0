// The check ladder without a lab: group parsing, clock skew classification, HTTP dates, and the
// step sequencing over a closed port, a silent loopback listener, a scripted IMAP server that
// refuses the password, an OAuth account with no token, and a cancelled run.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

#include "diagnostics/ladder.h"
#include "diagnostics/quick_check.h"
#include "loopback_script_server.h"

using namespace md;
using namespace md::diagnostics;
using namespace std::chrono_literals;
using md::test::Listener;

namespace {

accounts::Account imap_account(uint16_t port, accounts::Security security) {
  accounts::Account a;
  a.name = "t";
  a.email = "alice@example.test";
  a.auth = accounts::AuthMethod::password;
  a.imap = {true, "127.0.0.1", port, security};
  a.timeout_s = 1;
  return a;
}

std::vector<std::string> ids(const CheckReport& r) {
  std::vector<std::string> out;
  for (const auto& s : r.steps) out.push_back(s.id);
  return out;
}

const StepResult& step(const CheckReport& r, const std::string& id) {
  for (const auto& s : r.steps)
    if (s.id == id) return s;
  FAIL("no step " << id);
  throw 0;
}

std::string code(const StepResult& s) {
  return s.failure ? s.failure->code : std::string("(none)");
}

}  // namespace

TEST_CASE("ladder: --only groups") {
  auto g = parse_groups("imap,clock");
  REQUIRE(g);
  CHECK(g.value() == std::vector<LadderGroup>{LadderGroup::imap, LadderGroup::clock});
  CHECK(parse_groups("imap,ftp").failure().code == "usage");
  CHECK(parse_groups("").failure().code == "usage");
}

TEST_CASE("ladder: clock skew classification and HTTP dates") {
  CHECK(classify_clock_skew(0s) == StepStatus::pass);
  CHECK(classify_clock_skew(120s) == StepStatus::pass);
  CHECK(classify_clock_skew(-121s) == StepStatus::warn);
  CHECK(classify_clock_skew(300s) == StepStatus::warn);
  CHECK(classify_clock_skew(301s) == StepStatus::fail);
  CHECK(classify_clock_skew(-3600s) == StepStatus::fail);
  auto t = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
  REQUIRE(t);
  CHECK(std::chrono::system_clock::to_time_t(*t) == 784111777);
  CHECK_FALSE(parse_http_date("yesterday"));
  CHECK_FALSE(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"));
}

TEST_CASE("ladder: a closed port fails tcp.refused and skips the rest with the reason") {
  uint16_t port = md::test::closed_port();
  std::vector<std::string> seen;
  LadderInputs in;
  in.password = "pw";
  in.on_step = [&](const StepResult& s) { seen.push_back(s.id); };
  auto r = run_ladder(imap_account(port, accounts::Security::tls), in, {});
  CHECK(ids(r) == std::vector<std::string>{"clock", "imap.dns", "imap.tcp", "imap.tls", "imap.greeting",
                                           "imap.capabilities", "imap.auth", "imap.mailbox"});
  CHECK(seen == ids(r));
  CHECK_FALSE(r.ok());
  CHECK(step(r, "clock").status == StepStatus::skip);
  CHECK(step(r, "imap.dns").status == StepStatus::pass);
  CHECK(code(step(r, "imap.tcp")) == "tcp.refused");
  for (const char* id : {"imap.tls", "imap.greeting", "imap.capabilities", "imap.auth", "imap.mailbox"}) {
    CHECK(step(r, id).status == StepStatus::skip);
    CHECK(step(r, id).detail.find("skipped: imap.tcp failed") == 0);
  }
}

TEST_CASE("ladder: a silent server is protocol.no_greeting within the timeout, no encryption warns") {
  Listener silent;
  LadderOptions o;
  o.only = {LadderGroup::imap};
  LadderInputs in;
  in.password = "pw";
  // Each step ends by its own deadline (the account's 1 s timeout), and says so; no wall-clock bound
  // here, which a loaded machine would break.
  auto r = run_ladder(imap_account(silent.port(), accounts::Security::none), in, o);
  CHECK(step(r, "imap.tls").status == StepStatus::warn);
  CHECK(step(r, "imap.tls").detail.find("no encryption") == 0);
  CHECK(code(step(r, "imap.greeting")) == "protocol.no_greeting");
  CHECK(step(r, "imap.greeting").duration_ms >= 900);
  CHECK(step(r, "imap.auth").status == StepStatus::skip);

  // Implicit TLS to the same silent port: the handshake's own deadline, named a timeout (not a
  // refused handshake, not the security setting).
  r = run_ladder(imap_account(silent.port(), accounts::Security::tls), in, o);
  CHECK(code(step(r, "imap.tls")) == "tls.timeout");
  CHECK(step(r, "imap.tls").detail.find("within 1 s") != std::string::npos);
  CHECK(step(r, "imap.tls").duration_ms >= 900);
}

TEST_CASE("ladder: a refused password is auth.bad_credentials with the server's words, no STARTTLS fails tls") {
  // A fake IMAP server that refuses every password, for two conversations.
  md::test::LoopbackScriptServer server("* OK fake IMAP ready\r\n", [](const std::string& line) {
    using Reply = md::test::LoopbackScriptServer::Reply;
    std::string tag = line.substr(0, line.find(' '));
    if (line.find("CAPABILITY") != std::string::npos)
      return Reply{"* CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN\r\n" + tag + " OK done\r\n"};
    if (line.find("AUTHENTICATE") != std::string::npos)
      return Reply{tag + " NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"};
    if (line.find("LOGOUT") != std::string::npos) return Reply{"* BYE\r\n" + tag + " OK bye\r\n", true};
    return Reply{tag + " BAD what\r\n"};
  });
  LadderOptions o;
  o.only = {LadderGroup::imap};
  LadderInputs in;
  in.password = "wrong";
  std::string protected_secret;
  in.protect_secret = [&](std::string_view s) { protected_secret = s; };
  std::vector<std::string> transcript;
  in.mail_transcript = [&](std::string_view proto, md::protolog::Direction, std::string_view text) {
    CHECK(proto == "imap");
    transcript.emplace_back(text);
  };
  auto r = run_ladder(imap_account(server.port(), accounts::Security::none), in, o);
  CHECK(protected_secret == "wrong");
  CHECK(step(r, "imap.greeting").status == StepStatus::pass);
  CHECK(step(r, "imap.capabilities").status == StepStatus::pass);
  const StepResult& auth = step(r, "imap.auth");
  CHECK(code(auth) == "auth.bad_credentials");
  bool words = false;
  for (const auto& e : auth.evidence)
    words |= e.find("[AUTHENTICATIONFAILED] Authentication failed.") != std::string::npos;
  CHECK(words);
  CHECK(step(r, "imap.mailbox").status == StepStatus::skip);
  for (const auto& line : transcript) CHECK(line.find("wrong") == std::string::npos);

  // The same server with security starttls: CAPABILITY has no STARTTLS.
  r = run_ladder(imap_account(server.port(), accounts::Security::starttls), in, o);
  CHECK(ids(r) == std::vector<std::string>{"imap.dns", "imap.tcp", "imap.greeting", "imap.capabilities", "imap.tls",
                                           "imap.capabilities_tls", "imap.auth", "imap.mailbox"});
  CHECK(code(step(r, "imap.tls")) == "tls.starttls_unavailable");
  CHECK(step(r, "imap.auth").status == StepStatus::skip);
}

TEST_CASE("ladder: an OAuth account without tokens fails oauth.token and skips the sign-ins") {
  Listener l;
  auto a = imap_account(l.port(), accounts::Security::none);
  a.auth = accounts::AuthMethod::oauth2;
  a.imap.enabled = false;
  LadderOptions o;
  o.only = {LadderGroup::oauth};
  LadderInputs in;
  auto r = run_ladder(a, in, o);
  CHECK(ids(r) == std::vector<std::string>{"oauth.endpoints", "oauth.token"});
  CHECK(code(step(r, "oauth.endpoints")) == "oauth.endpoint_unreachable");
  CHECK(code(step(r, "oauth.token")) == "oauth.not_signed_in");
}

TEST_CASE("ladder: cancellation skips every remaining step") {
  Listener l;
  LadderInputs in;
  in.password = "pw";
  in.cancelled = [] { return true; };
  auto r = run_ladder(imap_account(l.port(), accounts::Security::none), in, {});
  REQUIRE_FALSE(r.steps.empty());
  for (const auto& s : r.steps) {
    CHECK(s.status == StepStatus::skip);
    CHECK(s.detail == "skipped: the check was cancelled");
  }
}

TEST_CASE("quick check: proxy credentials are masked") {
  CHECK(mask_proxy_credentials("http://user:secret@proxy:3128") == "http://user:***@proxy:3128");
  CHECK(mask_proxy_credentials("http://proxy:3128") == "http://proxy:3128");
}
