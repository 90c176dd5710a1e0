#include <doctest/doctest.h>

#include <ctime>

#include "platform/time.h"
#include "util/time.h"

using namespace md::util;
using std::chrono::system_clock;

TEST_CASE("time: ISO 8601 in UTC, with and without milliseconds") {
  system_clock::time_point t(std::chrono::seconds(1798538400));  // 2026-12-29T10:00:00Z
  CHECK(format_iso8601(t) == "2026-12-29T10:00:00Z");
  CHECK(format_iso8601_ms(t + std::chrono::milliseconds(7)) == "2026-12-29T10:00:00.007Z");
  CHECK(parse_iso8601("2026-12-29T10:00:00Z") == t);
  CHECK(parse_iso8601("2026-12-29T10:00:00.007Z") == t + std::chrono::milliseconds(7));
  CHECK(parse_iso8601("1970-01-01T00:00:00Z") == system_clock::time_point{});
  CHECK(parse_iso8601("2024-02-29T23:59:59Z") == system_clock::time_point(std::chrono::seconds(1709251199)));
}

TEST_CASE("time: malformed dates are refused") {
  CHECK_FALSE(parse_iso8601(""));
  CHECK_FALSE(parse_iso8601("2026-12-29 10:00:00Z"));
  CHECK_FALSE(parse_iso8601("2026-13-01T00:00:00Z"));
  CHECK_FALSE(parse_iso8601("2026-12-29T10:00:00+01:00"));
  CHECK_FALSE(parse_iso8601("2026-12-29T10:00:00.Z"));
}

TEST_CASE("time: format_local writes this computer's local time in the format asked") {
  const auto t = *md::util::parse_iso8601("2026-11-29T10:00:05Z");
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm local = md::platform::local_tm(secs);
  char want[32];
  std::strftime(want, sizeof want, "%Y-%m-%d %H:%M:%S", &local);
  CHECK(md::util::format_local(t, "%Y-%m-%d %H:%M:%S") == want);
  CHECK(md::util::format_local(t, "%S") == "05");
}
