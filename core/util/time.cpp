#include "util/time.h"

#include <cstdio>
#include <ctime>

#include "platform/time.h"

namespace md::util {
namespace {

std::tm utc(std::time_t t) {
  return platform::utc_tm(t);
}

// Days since 1970-01-01 of a civil date (proleptic Gregorian), without timegm's portability gaps.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

std::string format_local(std::chrono::system_clock::time_point t, const char* format) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm local = platform::local_tm(secs);
  char buf[64];
  const size_t n = std::strftime(buf, sizeof buf, format, &local);
  return std::string(buf, n);
}

std::string format_iso8601(std::chrono::system_clock::time_point t) {
  std::tm tm = utc(std::chrono::system_clock::to_time_t(t));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string format_iso8601_ms(std::chrono::system_clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
  if (ms < 0) ms += 1000;
  std::tm tm = utc(std::chrono::system_clock::to_time_t(t));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text) {
  int y, mo, d, h, mi, s, ms = 0;
  std::string copy(text);
  int consumed = 0;
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &consumed) != 6 ||
      consumed != 19)
    return std::nullopt;
  std::string_view rest = text.substr(19);
  if (rest.starts_with(".")) {
    if (rest.size() < 5 || std::sscanf(copy.c_str() + 20, "%3d", &ms) != 1) return std::nullopt;
    rest.remove_prefix(4);
  }
  if (rest != "Z") return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  auto secs = std::chrono::seconds(days * 86400 + h * 3600 + mi * 60 + s);
  return std::chrono::system_clock::time_point(secs + std::chrono::milliseconds(ms));
}

}  // namespace md::util
