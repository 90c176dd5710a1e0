// The protocol log's files: written by the log's own thread (flush() waits for them), rotated at
// the size cap with the configured generations kept, read back across a rotation.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "protolog/log_file.h"
#include "protolog/protolog.h"
#include "temp_dir.h"

using md::protolog::Direction;
using md::protolog::FileLimits;
using md::protolog::LogFollower;
using md::protolog::ProtoLog;
using md::protolog::rotated_log_path;
using md::test::TempDir;

namespace {

// The texts of the persisted lines of `file`, every line required to parse (none torn).
std::vector<std::string> texts_of(const std::filesystem::path& file) {
  std::vector<std::string> out;
  std::ifstream in(file, std::ios::binary);
  std::string line;
  while (std::getline(in, line)) {
    auto e = ProtoLog::parse_line(line);
    REQUIRE_MESSAGE(e, line);
    out.push_back(e->text);
  }
  return out;
}

// Oldest generation first, then the current file.
std::vector<std::string> all_generations(const std::filesystem::path& file, int generations) {
  std::vector<std::string> out;
  for (int g = generations; g >= 1; --g)
    for (auto& t : texts_of(rotated_log_path(file, g))) out.push_back(std::move(t));
  for (auto& t : texts_of(file)) out.push_back(std::move(t));
  return out;
}

std::string numbered(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "line %05d", i);
  return buf;
}

}  // namespace

TEST_CASE("protolog writer: lines are in the file after flush(), and after the log goes") {
  TempDir dir;
  std::filesystem::path file;
  {
    ProtoLog log(100, nullptr, dir.path);
    file = log.file_for("alice");
    for (int i = 1; i <= 50; ++i) log.append("alice", "imap", Direction::client, numbered(i));
    log.flush();
    auto texts = texts_of(file);
    REQUIRE(texts.size() == 50);
    CHECK(texts.front() == numbered(1));
    CHECK(texts.back() == numbered(50));
    for (int i = 51; i <= 60; ++i) log.append("alice", "imap", Direction::client, numbered(i));
  }  // the destructor writes what is still queued
  auto texts = texts_of(file);
  REQUIRE(texts.size() == 60);
  CHECK(texts.back() == numbered(60));
  // A memory-only log has nothing to wait for.
  ProtoLog memory(10, nullptr);
  memory.append("alice", "imap", Direction::client, "A1 NOOP");
  memory.flush();
}

TEST_CASE("protolog writer: rotation at the cap keeps the newest lines and at most the configured generations") {
  TempDir dir;
  const uint64_t cap = 1000;
  ProtoLog log(10, nullptr, dir.path, FileLimits{cap, 2});
  const auto file = log.file_for("alice");
  for (int i = 1; i <= 500; ++i) log.append("alice", "imap", Direction::client, numbered(i));
  log.flush();
  CHECK(std::filesystem::exists(file));
  CHECK(std::filesystem::exists(rotated_log_path(file, 1)));
  CHECK(std::filesystem::exists(rotated_log_path(file, 2)));
  CHECK_FALSE(std::filesystem::exists(rotated_log_path(file, 3)));
  for (int g = 0; g <= 2; ++g) CHECK(std::filesystem::file_size(g == 0 ? file : rotated_log_path(file, g)) <= cap);
  // What is kept is one unbroken run that ends with the newest line.
  auto kept = all_generations(file, 2);
  REQUIRE(kept.size() > 20);
  CHECK(kept.back() == numbered(500));
  const int first = std::stoi(kept.front().substr(5));
  for (size_t i = 0; i < kept.size(); ++i) REQUIRE(kept[i] == numbered(first + static_cast<int>(i)));

  // No generations: the full file simply starts again.
  ProtoLog none(10, nullptr, dir.path, FileLimits{cap, 0});
  for (int i = 1; i <= 100; ++i) none.append("bob", "pop3", Direction::server, numbered(i));
  none.flush();
  CHECK_FALSE(std::filesystem::exists(rotated_log_path(none.file_for("bob"), 1)));
  CHECK(texts_of(none.file_for("bob")).back() == numbered(100));
}

TEST_CASE("protolog writer: no line is lost or torn across rotations, and a line longer than the cap stays whole") {
  TempDir dir;
  ProtoLog log(10, nullptr, dir.path, FileLimits{4096, 9});
  const auto file = log.file_for("alice");
  // Multi-line appends, so a batch straddles the cap.
  for (int i = 1; i <= 600; i += 3)
    log.append("alice", "imap", Direction::server, numbered(i) + "\r\n" + numbered(i + 1) + "\r\n" + numbered(i + 2));
  log.flush();
  auto kept = all_generations(file, 9);
  REQUIRE(kept.size() == 600);
  for (int i = 1; i <= 600; ++i) REQUIRE(kept[i - 1] == numbered(i));
  CHECK(std::filesystem::exists(rotated_log_path(file, 3)));

  const std::string huge(6000, 'x');
  log.append("bob", "http", Direction::server, "before");
  log.append("bob", "http", Direction::server, huge);
  log.append("bob", "http", Direction::server, "after");
  log.flush();
  auto bob = all_generations(log.file_for("bob"), 9);
  CHECK(bob == std::vector<std::string>{"before", huge, "after"});
}

TEST_CASE("protolog writer: appends from several threads all reach the files, each thread's in order") {
  TempDir dir;
  ProtoLog log(100000, nullptr, dir.path, FileLimits{16 * 1024, 9});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&log, t] {
      for (int i = 0; i < 500; ++i)
        log.append(t % 2 == 0 ? "alice" : "bob", "imap", Direction::server,
                   "t" + std::to_string(t) + " " + numbered(i));
    });
  for (auto& th : threads) th.join();
  log.flush();
  std::map<std::string, int> next;  // per thread, the next number expected
  size_t total = 0;
  for (const char* account : {"alice", "bob"})
    for (const std::string& text : all_generations(log.file_for(account), 9)) {
      const std::string thread = text.substr(0, 2);
      REQUIRE(text == thread + " " + numbered(next[thread]++));
      ++total;
    }
  CHECK(total == 2000);
  CHECK(next.size() == 4);
}

TEST_CASE("protolog writer: the last N lines read across a rotation, newest file first") {
  TempDir dir;
  ProtoLog log(10, nullptr, dir.path, FileLimits{1000, 2});
  const auto file = log.file_for("alice");
  for (int i = 1; i <= 40; ++i) log.append("alice", "imap", Direction::client, numbered(i));
  log.flush();
  const size_t current = texts_of(file).size();
  REQUIRE(current > 0);
  REQUIRE(current < 30);  // the cap holds about 30 of these lines

  auto tail = ProtoLog::read_persisted(file, current + 5);
  REQUIRE(tail.ok());
  REQUIRE(tail.value().size() == current + 5);
  for (size_t i = 0; i < tail.value().size(); ++i)
    CHECK(tail.value()[i].text == numbered(40 - static_cast<int>(current + 5) + 1 + static_cast<int>(i)));
  auto all = ProtoLog::read_persisted(file, 0);
  REQUIRE(all.ok());
  CHECK(all.value().size() == 40);

  // `maildoctor log --tail N` and the support report read through LogFollower.
  LogFollower follower(file);
  REQUIRE(follower.open_at_tail(current + 5));
  std::vector<std::string> lines;
  follower.poll([&](std::string_view l) { lines.emplace_back(l); }, true);
  REQUIRE(lines.size() == current + 5);
  CHECK(ProtoLog::parse_line(lines.front())->text == numbered(40 - static_cast<int>(current + 5) + 1));
  CHECK(ProtoLog::parse_line(lines.back())->text == numbered(40));

  LogFollower everything(file);
  REQUIRE(everything.open_at_tail(std::nullopt));
  lines.clear();
  everything.poll([&](std::string_view l) { lines.emplace_back(l); }, true);
  CHECK(lines.size() == 40);

  // Only the current file's share asked: no older line.
  LogFollower few(file);
  REQUIRE(few.open_at_tail(2));
  lines.clear();
  few.poll([&](std::string_view l) { lines.emplace_back(l); }, true);
  REQUIRE(lines.size() == 2);
  CHECK(ProtoLog::parse_line(lines.back())->text == numbered(40));
}
