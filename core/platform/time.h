// The C library's thread-safe time conversions, under one name on every platform
// (gmtime_r/localtime_r/timegm on POSIX; gmtime_s/localtime_s/_mkgmtime on Windows).
#pragma once

#include <ctime>

namespace md::platform {

inline std::tm utc_tm(std::time_t t) {
  std::tm tm{};
#if defined(_WIN32)
  gmtime_s(&tm, &t);
#else
  gmtime_r(&t, &tm);
#endif
  return tm;
}

inline std::tm local_tm(std::time_t t) {
  std::tm tm{};
#if defined(_WIN32)
  localtime_s(&tm, &t);
#else
  localtime_r(&t, &tm);
#endif
  return tm;
}

// The inverse of utc_tm: a broken-down UTC time to seconds since the epoch.
inline std::time_t utc_time(std::tm tm) {
#if defined(_WIN32)
  return _mkgmtime(&tm);
#else
  return timegm(&tm);
#endif
}

}  // namespace md::platform
