// Connection against the other end of a loopback TCP connection the test drives itself
// (tests/support/fake_server.h): deadlines, EOF, line limits, literals split at every byte, the
// transcript, and TCP failures. No traffic leaves the machine. Linux and Windows alike.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "../support/fake_server.h"
#include "mail/connection.h"
#include "platform/system_info.h"

using namespace md::mail;
using namespace std::chrono_literals;
using md::protolog::Direction;
using md::test::Listener;
using Clock = std::chrono::steady_clock;

namespace {

Address loopback(uint16_t port);

// A Connection and the server's end of it, which the test writes to and closes by hand.
struct Pair {
  Listener listener;
  Connection client;
  int server = -1;
  Pair() {
    client.set_timeout(5s);
    REQUIRE(client.connect(loopback(listener.port())));
    server = listener.accept();
    REQUIRE(server >= 0);
  }
  ~Pair() { md::platform::close_socket(server); }
  // All of bytes; false when the client is gone (for writer threads, which must not REQUIRE).
  bool try_send(std::string_view bytes) const { return md::test::FakeServer::Peer(server).send(bytes); }
  void send(std::string_view bytes) const { REQUIRE(try_send(bytes)); }
  void hang_up() {
    md::platform::close_socket(server);
    server = -1;
  }
};

Address loopback(uint16_t port) {
  auto r = resolve("127.0.0.1", port, 2s);
  REQUIRE(r);
  return r.value().front();
}

}  // namespace

TEST_CASE("mail: resolve numeric addresses and localhost without DNS traffic") {
  auto v4 = resolve("127.0.0.1", 993, 2s);
  REQUIRE(v4);
  REQUIRE(v4.value().size() == 1);
  CHECK(v4.value()[0].ip == "127.0.0.1");
  CHECK(v4.value()[0].port == 993);
  auto v6 = resolve("::1", 993, 2s);
  REQUIRE(v6);
  CHECK(v6.value()[0].ip == "::1");
  auto local = resolve("localhost", 25, 2s);  // /etc/hosts
  REQUIRE(local);
  bool has_v4 = false;
  for (const auto& a : local.value()) has_v4 = has_v4 || a.ip == "127.0.0.1";
  CHECK(has_v4);
  CHECK(resolve("", 1, 1s).failure().code == "dns.not_found");
}

TEST_CASE("mail: connect to a closed port is tcp.refused, to an open one succeeds") {
  uint16_t closed_port = md::test::closed_port();
  Connection c;
  c.set_timeout(2s);
  auto refused = c.connect(loopback(closed_port));
  REQUIRE_FALSE(refused);
  CHECK(refused.failure().code == "tcp.refused");
  CHECK(refused.failure().detail.find("127.0.0.1:" + std::to_string(closed_port)) != std::string::npos);

  Listener open;
  REQUIRE(c.connect(loopback(open.port())));
  CHECK(c.is_open());
  // Several addresses: the refused one is skipped.
  auto both = std::vector<Address>{loopback(closed_port), loopback(open.port())};
  REQUIRE(c.connect(both));
  CHECK(c.peer().port == open.port());
}

TEST_CASE("mail: connect that gets no answer is tcp.timeout within the deadline") {
  // A listener whose accept queue is full drops further SYNs: the connect hangs like a firewall's.
  Listener full(0);
  std::vector<Connection> fillers;
  for (int i = 0; i < 8; ++i) {
    Connection f;
    f.set_timeout(200ms);
    if (!f.connect(loopback(full.port()))) break;
    fillers.push_back(std::move(f));
  }
  Connection c;
  c.set_timeout(300ms);
  auto t0 = Clock::now();
  auto r = c.connect(loopback(full.port()));
  auto took = Clock::now() - t0;
  if (r) {
    MESSAGE("this kernel accepted past the backlog; the timeout path was not exercised");
    return;
  }
#if defined(_WIN32)
  // Windows answers a SYN past a full backlog with a reset, not silence: a full queue cannot play
  // a silent firewall there (Wine, on Linux's network stack, still drops the SYN).
  if (r.failure().code == "tcp.refused") {
    MESSAGE("this system refuses past the backlog; the timeout path was not exercised");
    return;
  }
#endif
  CHECK(r.failure().code == "tcp.timeout");
  CHECK(took < 30s);  // catches a hang; a loaded machine may be slow
}

TEST_CASE("mail: read_line times out naming what was awaited") {
  Pair p;
  p.client.set_timeout(150ms);
  auto t0 = Clock::now();
  auto r = p.client.read_line("the reply to NOOP");
  REQUIRE_FALSE(r);
  CHECK(r.failure().code == "tcp.timeout");
  CHECK(r.failure().detail.find("the reply to NOOP") != std::string::npos);
  CHECK(Clock::now() - t0 >= 140ms);
  CHECK(Clock::now() - t0 < 30s);  // catches a hang; a loaded machine may be slow
}

TEST_CASE("mail: lines, bare LF, EOF and a line over the limit") {
  Pair p;
  p.client.set_timeout(2s);
  p.send("first\r\nsecond\nthird\r\npartial");
  CHECK(p.client.read_line("x").value() == "first");
  CHECK(p.client.read_line("x").value() == "second");
  CHECK(p.client.read_line("x").value() == "third");
  p.hang_up();
  auto eof = p.client.read_line("the greeting");
  REQUIRE_FALSE(eof);
  CHECK(eof.failure().code == "protocol.connection_lost");
  CHECK(eof.failure().detail.find("the greeting") != std::string::npos);

  Pair q;
  q.client.set_timeout(2s);
  std::thread writer([&] { (void)q.try_send(std::string(70000, 'x')); });
  auto longline = q.client.read_line("x", 64 * 1024);
  writer.join();
  REQUIRE_FALSE(longline);
  CHECK(longline.failure().code == "protocol.bad_response");
}

TEST_CASE("mail: lines and literals split at every byte arrive whole") {
  Pair p;
  p.client.set_timeout(5s);
  std::string literal;
  for (int i = 0; i < 3000; ++i) literal += static_cast<char>(i * 7);
  std::string wire = "* 1 FETCH (BODY[] {" + std::to_string(literal.size()) + "}\r\n" + literal + ")\r\nA1 OK\r\n";
  std::thread writer([&] {
    for (char c : wire)
      if (!p.try_send(std::string_view(&c, 1))) return;
  });
  auto head = p.client.read_line("x");
  std::string body;
  auto got = p.client.read_exact(literal.size(), body, "the body");
  auto tail = p.client.read_line("x");
  auto done = p.client.read_line("x");
  writer.join();
  REQUIRE(head);
  REQUIRE(got);
  CHECK(body == literal);
  CHECK(tail.value() == ")");
  CHECK(done.value() == "A1 OK");
  CHECK_FALSE(p.client.has_buffered_input());
}

TEST_CASE("mail: a literal cut short is protocol.connection_lost") {
  Pair p;
  p.client.set_timeout(2s);
  p.send("abc");
  p.hang_up();
  std::string out;
  auto r = p.client.read_exact(10, out, "a message's bytes");
  REQUIRE_FALSE(r);
  CHECK(r.failure().code == "protocol.connection_lost");
  CHECK(r.failure().detail.find("7 of 10") != std::string::npos);
}

TEST_CASE("mail: a reset (RST) is protocol.connection_lost and says reset, an orderly close says closed") {
  for (bool reset : {true, false}) {
    if (reset && md::platform::os_description().count("wine")) {
      // Wine closes the Unix socket only when its last handle goes: closesocket() with a zero
      // linger sends FIN there, not RST (Windows and Linux send RST).
      MESSAGE("under Wine: the reset half is not checked");
      continue;
    }
    Pair p;
    Connection& c = p.client;
    c.set_timeout(2s);
    p.send("* OK hi\r\n");
    if (reset) {
      linger now{1, 0};  // close() with a zero linger sends RST
      REQUIRE(::setsockopt(p.server, SOL_SOCKET, SO_LINGER, reinterpret_cast<const char*>(&now), sizeof now) == 0);
    }
    p.hang_up();
    REQUIRE(c.read_line("the greeting").value() == "* OK hi");
    auto r = c.read_line("the reply to AUTHENTICATE");
    REQUIRE_FALSE(r);
    CAPTURE(reset);
    CAPTURE(r.failure().detail);
    CHECK(r.failure().code == "protocol.connection_lost");
    CHECK(r.failure().detail.find("the reply to AUTHENTICATE") != std::string::npos);
    CHECK(r.failure().detail.find(reset ? "reset the connection" : "closed the connection") != std::string::npos);
  }
}

TEST_CASE("mail: transcript gets lines, literal sizes and only the redacted form of secrets") {
  Pair p;
  p.client.set_timeout(2s);
  std::vector<std::pair<Direction, std::string>> seen;
  p.client.set_transcript([&](Direction d, std::string_view t) { seen.emplace_back(d, std::string(t)); });
  REQUIRE(p.client.write_line("A1 NOOP"));
  REQUIRE(p.client.write_secret_line("A2 AUTHENTICATE XOAUTH2 c2VjcmV0", "A2 AUTHENTICATE XOAUTH2 <redacted>"));
  p.send("A1 OK\r\nbody");
  REQUIRE(p.client.read_line("x"));
  std::string out;
  REQUIRE(p.client.read_exact(4, out, "x"));
  const std::string sent = "A1 NOOP\r\nA2 AUTHENTICATE XOAUTH2 c2VjcmV0\r\n";
  md::test::FakeServer::Peer server(p.server);
  while (server.buffer().size() < sent.size() && server.read_some()) {
  }
  CHECK(server.buffer() == sent);
  REQUIRE(seen.size() == 4);
  CHECK(seen[0] == std::pair{Direction::client, std::string("A1 NOOP")});
  CHECK(seen[1] == std::pair{Direction::client, std::string("A2 AUTHENTICATE XOAUTH2 <redacted>")});
  CHECK(seen[2] == std::pair{Direction::server, std::string("A1 OK")});
  CHECK(seen[3] == std::pair{Direction::server, std::string("{4 bytes}")});
}

TEST_CASE("mail: writing to a peer that has gone is protocol.connection_lost, not SIGPIPE") {
  Pair p;
  p.client.set_timeout(1s);
  p.hang_up();
  auto r = p.client.write_all(std::string(1 << 20, 'x'), "a big command");
  REQUIRE_FALSE(r);
  CHECK(r.failure().code == "protocol.connection_lost");
}

TEST_CASE("mail: describe and printable") {
  CHECK(describe(30000ms) == "30 s");
  CHECK(describe(1500ms) == "1.5 s");
  CHECK(describe(250ms) == "250 ms");
  CHECK(printable(std::string("a\x16\x03\x01z", 5)) == "a???z");
  CHECK(printable(std::string(300, 'x'), 10) == "xxxxxxxxxx...");
}
