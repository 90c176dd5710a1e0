#include <doctest/doctest.h>

#include "cli/args.h"

using md::cli::ArgReader;
using md::cli::parse_global;

TEST_CASE("args: global options before the command, the command and its arguments after") {
  auto r = parse_global({"--data-dir", "/d", "check", "alice", "--json"});
  REQUIRE(r.ok());
  CHECK(r.value().data_dir == "/d");
  REQUIRE(r.value().command.size() == 3);
  CHECK(r.value().command[0] == "check");
  CHECK(r.value().command[2] == "--json");
  r = parse_global({"--data-dir=/e"});
  REQUIRE(r.ok());
  CHECK(r.value().data_dir == "/e");
  CHECK(r.value().command.empty());
}

TEST_CASE("args: usage errors name the problem") {
  CHECK_FALSE(parse_global({"--data-dir"}).ok());
  CHECK_FALSE(parse_global({"--bogus"}).ok());
  CHECK_FALSE(parse_global({"--capture-after", "soon"}).ok());
  auto r = parse_global({"--capture", "/tmp/a.png", "--capture-after", "2.5"});
  REQUIRE(r.ok());
  CHECK(r.value().capture_after_s == doctest::Approx(2.5));
}

TEST_CASE("args: ArgReader takes flags, values, repeated values and positionals") {
  ArgReader a({"alice", "--json", "--scope", "a", "--scope=b", "--timeout", "10"});
  CHECK(a.flag("--json"));
  CHECK(a.values("--scope") == std::vector<std::string>{"a", "b"});
  CHECK(a.value("--timeout") == "10");
  CHECK(a.positionals() == std::vector<std::string>{"alice"});
  CHECK(a.finish().ok());
}

TEST_CASE("args: ArgReader reports unknown options and missing values") {
  ArgReader a({"alice", "--frob"});
  CHECK(a.positionals() == std::vector<std::string>{"alice"});
  auto r = a.finish();
  REQUIRE_FALSE(r.ok());
  CHECK(r.failure().detail == "unknown option --frob");
  ArgReader b({"--timeout"});
  CHECK_FALSE(b.value("--timeout"));
  CHECK_FALSE(b.finish().ok());
}
