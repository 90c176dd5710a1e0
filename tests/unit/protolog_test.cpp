#include <doctest/doctest.h>

#include "temp_dir.h"

#include <filesystem>
#include <fstream>
#include <thread>

#include "protolog/protolog.h"

using md::protolog::Direction;
using md::protolog::Entry;
using md::protolog::ProtoLog;

using md::test::TempDir;

namespace {

md::protolog::RedactHook upper_secret() {
  return [](std::string_view line, Direction) {
    std::string s(line);
    if (auto p = s.find("SECRET"); p != std::string::npos) s.replace(p, 6, "<redacted>");
    return s;
  };
}

}  // namespace

TEST_CASE("protolog: the ring keeps the newest lines and numbers them in order") {
  ProtoLog log(3, nullptr);
  for (int i = 1; i <= 5; ++i) log.append("alice", "imap", Direction::client, "A" + std::to_string(i) + " NOOP");
  auto all = log.since(0);
  REQUIRE(all.size() == 3);
  CHECK(all[0].text == "A3 NOOP");
  CHECK(all[2].text == "A5 NOOP");
  CHECK(all[2].seq == 5);
  CHECK(log.last_seq() == 5);
  CHECK(log.since(4).size() == 1);
}

TEST_CASE("protolog: since() starts after the given seq, also once the ring has wrapped, and tail() reads the newest") {
  ProtoLog log(6, nullptr);
  for (int i = 1; i <= 10; ++i)
    log.append(i % 2 == 0 ? "alice" : "bob", "imap", Direction::client, "A" + std::to_string(i) + " NOOP");
  // The ring holds seq 5..10; asking from before its start gives all of it.
  CHECK(log.since(0).size() == 6);
  CHECK(log.since(2).front().seq == 5);
  auto alice = log.since(6, std::string("alice"));
  REQUIRE(alice.size() == 2);
  CHECK(alice[0].text == "A8 NOOP");
  CHECK(alice[1].text == "A10 NOOP");
  CHECK(log.since(10).empty());
  CHECK(log.since(99).empty());

  auto tail = log.tail("bob", 2);
  REQUIRE(tail.size() == 2);
  CHECK(tail[0].text == "A7 NOOP");  // oldest first
  CHECK(tail[1].text == "A9 NOOP");
  CHECK(log.tail("bob", 10).size() == 3);
  CHECK(log.tail("carol", 3).empty());
}

TEST_CASE("protolog: multi-line text becomes one entry per line, CRLF stripped, empty lines kept") {
  ProtoLog log(10, nullptr);
  log.append("alice", "imap", Direction::server, "* OK ready\r\n* CAPABILITY IMAP4rev1\r\n");
  log.append("alice", "smtp", Direction::client, "\r\n");  // an empty SASL answer
  auto all = log.since(0);
  REQUIRE(all.size() == 3);
  CHECK(all[0].text == "* OK ready");
  CHECK(all[1].text == "* CAPABILITY IMAP4rev1");
  CHECK(all[2].text.empty());
}

TEST_CASE("protolog: redaction happens at capture, before the ring and the file") {
  TempDir dir;
  ProtoLog log(10, upper_secret(), dir.path);
  log.append("alice", "imap", Direction::client, "A1 LOGIN alice SECRET");
  CHECK(log.since(0)[0].text == "A1 LOGIN alice <redacted>");
  log.flush();
  std::ifstream in(log.file_for("alice"));
  std::string content((std::istreambuf_iterator<char>(in)), {});
  CHECK(content.find("SECRET") == std::string::npos);
  CHECK(content.find("<redacted>") != std::string::npos);
}

TEST_CASE("protolog: the persisted copy reads back, tail keeps the last N, torn lines are skipped") {
  TempDir dir;
  ProtoLog log(100, nullptr, dir.path);
  for (int i = 1; i <= 10; ++i) log.append("bob", "pop3", Direction::server, "+OK " + std::to_string(i));
  log.append("bob", "pop3", Direction::info, "connection closed");
  log.flush();
  std::ofstream(log.file_for("bob"), std::ios::app) << "2026-11-29T10:00";  // a crash mid-write
  auto tail = ProtoLog::read_persisted(log.file_for("bob"), 3);
  REQUIRE(tail.ok());
  REQUIRE(tail.value().size() == 3);
  CHECK(tail.value()[0].text == "+OK 9");
  CHECK(tail.value()[2].direction == Direction::info);
  CHECK(tail.value()[2].protocol == "pop3");
  CHECK_FALSE(ProtoLog::read_persisted(dir.path / "nobody.log", 0).ok());
}

TEST_CASE("protolog: account names cannot escape the logs folder") {
  ProtoLog log(10, nullptr, "/data/logs");
  CHECK(log.file_for("../../etc/passwd") == std::filesystem::path("/data/logs/_.._.._etc_passwd.log"));
  CHECK(log.file_for("alice@example.test") == std::filesystem::path("/data/logs/alice@example.test.log"));
}

TEST_CASE("protolog: format and parse are inverse") {
  Entry e;
  e.at = std::chrono::system_clock::time_point(std::chrono::milliseconds(1764410400123));
  e.protocol = "smtp";
  e.direction = Direction::client;
  e.text = "EHLO maildoctor";
  std::string line = ProtoLog::format_line(e);
  CHECK(line == "2025-11-29T10:00:00.123Z smtp C: EHLO maildoctor");
  auto back = ProtoLog::parse_line(line);
  REQUIRE(back);
  CHECK(back->at == e.at);
  CHECK(back->text == e.text);
  CHECK(back->direction == Direction::client);
  CHECK_FALSE(ProtoLog::parse_line("garbage"));
  CHECK_FALSE(ProtoLog::parse_line("2025-11-29T10:00:00Z smtp X: bad direction"));
}

TEST_CASE("protolog: appends from several threads lose nothing") {
  ProtoLog log(100000, nullptr);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&log, t] {
      for (int i = 0; i < 1000; ++i) log.append("a", "imap", Direction::server, std::to_string(t));
    });
  for (auto& th : threads) th.join();
  auto all = log.since(0);
  CHECK(all.size() == 4000);
  for (size_t i = 1; i < all.size(); ++i) REQUIRE(all[i].seq == all[i - 1].seq + 1);
}

TEST_CASE("protolog: one account's lines come from its own index, also once the ring has wrapped, and by batches") {
  ProtoLog log(1000, nullptr);
  const char* accounts[] = {"alice", "bob", "carol"};
  for (int i = 0; i < 2500; ++i) log.append(accounts[(i * 7) % 3], "imap", Direction::server, std::to_string(i));
  auto all = log.since(0);
  REQUIRE(all.size() == 1000);
  for (const char* a : accounts) {
    std::vector<Entry> expected;
    for (const Entry& e : all)
      if (e.account == a) expected.push_back(e);
    CHECK(log.count(a) == expected.size());
    auto got = log.since(0, std::string(a));
    REQUIRE(got.size() == expected.size());
    for (size_t i = 0; i < got.size(); ++i) REQUIRE(got[i].seq == expected[i].seq);
    // In batches of 100, as the workspace reads a long log.
    std::vector<Entry> batched;
    for (uint64_t after = 0;;) {
      auto batch = log.since(after, std::string(a), 100);
      batched.insert(batched.end(), batch.begin(), batch.end());
      if (batch.size() < 100) break;
      after = batch.back().seq;
    }
    CHECK(batched.size() == expected.size());
    auto tail = log.tail(a, 5);
    REQUIRE(tail.size() == 5);
    CHECK(tail.back().seq == expected.back().seq);
    CHECK(tail.front().seq == expected[expected.size() - 5].seq);
  }
  CHECK(log.since(2400, std::nullopt, 10).size() == 10);
  CHECK(log.since(2400, std::nullopt, 10).front().seq == 2401);
  CHECK(log.count("nobody") == 0);
}
