// The persisted protocol log as `log` and `report` read it (tail, follow across truncation and
// rotation), the second-line masking of saved secrets, and the protocol label of every line that
// reaches the log through a Transcript: imap/pop3/smtp from the ladder, http from the HTTP client.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <doctest/doctest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "diagnostics/ladder.h"
#include "net/http_client.h"
#include "protolog/log_file.h"
#include "protolog/protolog.h"
#include "temp_dir.h"
#include "util/encoding.h"

using md::protolog::Direction;
using md::protolog::LogFollower;
using md::protolog::ProtoLog;
using md::protolog::Redactor;
using md::test::TempDir;

namespace {

void write_file(const std::filesystem::path& p, const std::string& content, bool append = false) {
  std::ofstream out(p, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
  out << content;
}

std::vector<std::string> poll_all(LogFollower& f, bool final = false, LogFollower::Event* event = nullptr) {
  std::vector<std::string> lines;
  auto e = f.poll([&](std::string_view l) { lines.emplace_back(l); }, final);
  if (event) *event = e;
  return lines;
}

std::vector<std::string> persisted_protocols(const std::filesystem::path& file) {
  std::vector<std::string> out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    auto e = ProtoLog::parse_line(line);
    REQUIRE(e);
    out.push_back(e->protocol);
  }
  return out;
}

// A loopback port where nothing listens: bound, then closed.
uint16_t closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

}  // namespace

TEST_CASE("protolog file: log_file_path is where ProtoLog writes, with a safe name") {
  ProtoLog log(10, nullptr, "/data/logs");
  CHECK(md::protolog::log_file_path("/data/logs", "alice") == log.file_for("alice"));
  CHECK(md::protolog::log_file_path("/data/logs", "../x y") == std::filesystem::path("/data/logs/_.._x_y.log"));
}

TEST_CASE("protolog file: tail_offset finds the start of the last N lines") {
  TempDir dir;
  auto f = dir.path / "a.log";
  write_file(f, "one\ntwo\nthree\n");
  CHECK(md::protolog::tail_offset(f, 1) == 8u);
  CHECK(md::protolog::tail_offset(f, 2) == 4u);
  CHECK(md::protolog::tail_offset(f, 3) == 0u);
  CHECK(md::protolog::tail_offset(f, 50) == 0u);
  CHECK(md::protolog::tail_offset(f, 0) == 14u);
  write_file(f, "one\ntwo\nthr");  // an unterminated last line counts as a line
  CHECK(md::protolog::tail_offset(f, 1) == 8u);
  CHECK(md::protolog::tail_offset(f, 2) == 4u);
  write_file(f, "");
  CHECK(md::protolog::tail_offset(f, 3) == 0u);
  CHECK_FALSE(md::protolog::tail_offset(dir.path / "none.log", 3));

  // Bigger than one backwards chunk.
  std::string big;
  for (int i = 0; i < 20000; ++i) big += "line " + std::to_string(i) + "\n";
  write_file(f, big);
  LogFollower r(f);
  REQUIRE(r.open_at_tail(3));
  CHECK(poll_all(r, true) == std::vector<std::string>{"line 19997", "line 19998", "line 19999"});
}

TEST_CASE("protolog file: following holds back a half-written line and sees appends") {
  TempDir dir;
  auto f = dir.path / "a.log";
  write_file(f, "a\nb\nc\n");
  LogFollower r(f);
  REQUIRE(r.open_at_tail(2));
  CHECK(poll_all(r) == std::vector<std::string>{"b", "c"});
  CHECK(poll_all(r).empty());
  write_file(f, "d\npart", true);
  CHECK(poll_all(r) == std::vector<std::string>{"d"});
  write_file(f, "ial\n", true);
  CHECK(poll_all(r) == std::vector<std::string>{"partial"});
  write_file(f, "torn", true);
  CHECK(poll_all(r, true) == std::vector<std::string>{"torn"});
}

TEST_CASE("protolog file: following survives truncation, replacement and a late first file") {
  TempDir dir;
  auto f = dir.path / "a.log";
  LogFollower r(f);
  CHECK_FALSE(r.open_at_tail(10));
  LogFollower::Event ev{};
  CHECK(poll_all(r, false, &ev).empty());
  CHECK(ev == LogFollower::Event::none);
  write_file(f, "first\n");
  CHECK(poll_all(r, false, &ev) == std::vector<std::string>{"first"});
  CHECK(ev == LogFollower::Event::appeared);

  write_file(f, "x\n");  // truncated and rewritten shorter
  CHECK(poll_all(r, false, &ev) == std::vector<std::string>{"x"});
  CHECK(ev == LogFollower::Event::truncated);

  // Rotation: the old file is renamed (and gets a last line), a new one takes its name.
  write_file(f, "old-last\n", true);
  std::filesystem::rename(f, dir.path / "a.log.1");
  write_file(f, "new-1\nnew-2\n");
  CHECK(poll_all(r, false, &ev) == std::vector<std::string>{"old-last", "new-1", "new-2"});
  CHECK(ev == LogFollower::Event::replaced);
  write_file(f, "new-3\n", true);
  CHECK(poll_all(r) == std::vector<std::string>{"new-3"});

  // Deleted and not yet recreated: nothing, no crash; recreated: read from its start.
  std::filesystem::remove(f);
  CHECK(poll_all(r).empty());
  write_file(f, "again\n");
  CHECK(poll_all(r, false, &ev) == std::vector<std::string>{"again"});
  CHECK(ev == LogFollower::Event::replaced);
}

TEST_CASE("redactor: mask_secrets masks registered secrets in every form and nothing else") {
  Redactor r;
  CHECK(r.mask_secrets("PASS hunter2-long") == "PASS hunter2-long");  // no patterns here
  CHECK_FALSE(r.has_secrets());
  const std::string secret = "s3cr3t/value+x";  // 14 bytes: base64 ends in '=' padding
  r.add_secret(secret);
  CHECK(r.has_secrets());
  const std::string b64 = md::util::base64_encode(secret);
  const std::string unpadded = b64.substr(0, b64.find_last_not_of('=') + 1);
  REQUIRE(unpadded != b64);
  for (const std::string& form : {secret, b64, unpadded, md::util::url_encode(secret)}) {
    std::string out = r.mask_secrets("before " + form + " after");
    CHECK(out.find(form) == std::string::npos);
    CHECK(out.find("<redacted>") != std::string::npos);
    CHECK(out.starts_with("before "));
  }
  // The longer padded form goes whole, not leaving its padding behind a masked prefix.
  CHECK(r.mask_secrets(b64) == "<redacted>");
}

TEST_CASE("transcript: each line is persisted under its own protocol, redacted at capture") {
  TempDir dir;
  Redactor redactor;
  redactor.add_secret("client-secret-value");
  ProtoLog log(
      100, [&](std::string_view l, Direction d) { return redactor.redact(l, d); }, dir.path);
  md::net::ProtoLogTranscript t(log, "alice");
  t.line("imap", Direction::client, "A1 AUTHENTICATE XOAUTH2 dXNlcj1hbGljZQFhdXRoPUJlYXJlciB5YTI5AQE=");
  t.line("imap", Direction::client, "A2 LOGIN alice hunter22");
  t.line("pop3", Direction::client, "PASS hunter22");
  t.line("smtp", Direction::client, "AUTH PLAIN AGFsaWNlAGh1bnRlcjIy");
  t.line("smtp", Direction::server, "235 2.7.0 Authentication successful");

  httplib::Server svr;
  svr.Post("/token", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"access_token":"at-123456789","token_type":"Bearer"})", "application/json");
  });
  int port = svr.bind_to_any_port("127.0.0.1");
  std::thread th([&] { svr.listen_after_bind(); });
  md::net::HttpOptions o;
  o.timeout_s = 5;
  o.proxy = "";
  auto resp = md::net::http_post_form("http://127.0.0.1:" + std::to_string(port) + "/token",
                                      {{"grant_type", "client_credentials"}, {"client_secret", "client-secret-value"}},
                                      {}, o, &t);
  svr.stop();
  th.join();
  REQUIRE(resp.ok());

  log.flush();
  auto protocols = persisted_protocols(log.file_for("alice"));
  REQUIRE(protocols.size() >= 8);
  CHECK(std::vector<std::string>(protocols.begin(), protocols.begin() + 5) ==
        std::vector<std::string>{"imap", "imap", "pop3", "smtp", "smtp"});
  for (size_t i = 5; i < protocols.size(); ++i) CHECK(protocols[i] == "http");

  std::ifstream in(log.file_for("alice"));
  std::string content((std::istreambuf_iterator<char>(in)), {});
  for (const char* leak : {"hunter22", "dXNlcj1hbGljZQFhdXRoPUJlYXJlciB5YTI5AQE=", "AGFsaWNlAGh1bnRlcjIy",
                           "client-secret-value", "at-123456789"})
    CHECK_MESSAGE(content.find(leak) == std::string::npos, leak);
  CHECK(content.find("imap C: A1 AUTHENTICATE XOAUTH2 <redacted>") != std::string::npos);
  CHECK(content.find("imap C: A2 LOGIN alice <redacted>") != std::string::npos);
  CHECK(content.find("pop3 C: PASS <redacted>") != std::string::npos);
  CHECK(content.find("smtp C: AUTH PLAIN <redacted>") != std::string::npos);
}

TEST_CASE("transcript: the ladder's mail lines reach the log as imap, not http") {
  TempDir dir;
  ProtoLog log(100, nullptr, dir.path);
  md::net::ProtoLogTranscript t(log, "bob");
  md::accounts::Account a;
  a.name = "bob";
  a.email = "bob@example.test";
  a.auth = md::accounts::AuthMethod::password;
  a.imap = {true, "127.0.0.1", closed_port(), md::accounts::Security::none};
  a.timeout_s = 1;
  md::diagnostics::LadderInputs in;
  in.password = "pw-unused";
  // The same wiring as `maildoctor check`.
  in.http_transcript = &t;
  in.mail_transcript = [&t](std::string_view proto, Direction d, std::string_view text) { t.line(proto, d, text); };
  md::diagnostics::LadderOptions opts;
  opts.only = {md::diagnostics::LadderGroup::imap};
  (void)md::diagnostics::run_ladder(a, in, opts);
  log.flush();
  auto protocols = persisted_protocols(log.file_for("bob"));
  REQUIRE_FALSE(protocols.empty());
  for (const auto& p : protocols) CHECK(p == "imap");
}
