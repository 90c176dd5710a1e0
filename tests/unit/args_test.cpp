#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>

#include "cli/args.h"
#include "cli/usage.h"

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
  // The window's test harness options are the harness's own (tests/harness/), not the product's.
  for (const char* harness : {"--capture", "--capture-after", "--report-first-frame", "--scene", "--drive"}) {
    INFO(harness);
    auto r = parse_global({harness, "1"});
    REQUIRE_FALSE(r.ok());
    CHECK(r.failure().detail.find("unknown option " + std::string(harness)) != std::string::npos);
  }
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

TEST_CASE("usage: every flag a command reads is in --help (and so in the man page and the completion)") {
  // The man page and the bash completion are generated from the same table as --help.
  const std::string help = md::cli::help_text();
  std::set<std::string> flags;
  const std::regex flag_literal("\"(--[a-z0-9][a-z0-9-]*)\"");
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(MAILDOCTOR_SOURCE_DIR) / "cli")) {
    if (entry.path().extension() != ".cpp" || entry.path().filename() == "usage.cpp") continue;
    std::ifstream in(entry.path());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (std::sregex_iterator it(text.begin(), text.end(), flag_literal), end; it != end; ++it)
      flags.insert((*it)[1].str());
  }
  CHECK(flags.size() > 30);
  for (const std::string& f : flags) {
    INFO("flag " << f);
    const bool documented = help.find(f + " ") != std::string::npos || help.find(f + "]") != std::string::npos ||
                            help.find(f + "\n") != std::string::npos || help.find(f + "=") != std::string::npos ||
                            help.find(f + "|") != std::string::npos;
    CHECK(documented);
  }
}
