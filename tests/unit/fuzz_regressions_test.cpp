// Inputs the fuzz targets of fuzz/ found to break a parser, kept as tests once fixed. Each input is
// also in tests/fuzz/corpus/<target>/, so the fuzzers start from it again.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "accounts/repository.h"

namespace {

std::string corpus_file(const std::string& target, const std::string& name) {
  std::ifstream in(std::string(MAILDOCTOR_SOURCE_DIR) + "/tests/fuzz/corpus/" + target + "/" + name, std::ios::binary);
  REQUIRE(in);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

// fuzz_account_settings: a port of 171080000000 (a float to nlohmann) was cast to int, undefined
// behaviour that UBSan stops on. Out-of-range and fractional numbers are now malformed settings.
TEST_CASE("fuzz regressions: stored settings with numbers outside int are malformed, not undefined") {
  auto found = md::accounts::from_json(
      nlohmann::json::parse(corpus_file("account_settings", "regression_port_out_of_int_range")));
  REQUIRE_FALSE(found);
  CHECK(found.failure().code == "accounts.invalid");

  for (const char* doc : {R"({"oauth":{},"timeout_s":1e100})", R"({"oauth":{},"timeout_s":-3000000000})",
                          R"({"oauth":{},"timeout_s":2.5})", R"({"oauth":{},"timeout_s":null})",
                          R"({"oauth":{},"imap":{"host":"h","port":3e9,"security":"tls"}})",
                          R"({"oauth":{},"imap":{"host":"h","port":18446744073709551615,"security":"tls"}})"}) {
    auto a = md::accounts::from_json(nlohmann::json::parse(doc));
    CHECK_MESSAGE(!a, doc);
    if (!a) CHECK(a.failure().code == "accounts.invalid");
  }
  // Whole numbers still read, whichever way JSON spells them.
  auto ok = md::accounts::from_json(
      nlohmann::json::parse(R"({"oauth":{},"timeout_s":30.0,"imap":{"host":"h","port":993,"security":"tls"}})"));
  REQUIRE(ok);
  CHECK(ok.value().timeout_s == 30);
  CHECK(ok.value().imap.port == 993);
  auto absent = md::accounts::from_json(nlohmann::json::parse(R"({"oauth":{}})"));
  REQUIRE(absent);
  CHECK(absent.value().timeout_s == 20);
}
