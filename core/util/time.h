// Time as people and protocols write it: ISO 8601 / RFC 3339 in UTC.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace md::util {

// 2026-11-29T10:00:00Z
std::string format_iso8601(std::chrono::system_clock::time_point t);
// 2026-11-29T10:00:00.123Z
std::string format_iso8601_ms(std::chrono::system_clock::time_point t);
// This computer's local time in strftime's `format` ("%Y-%m-%d %H:%M"): what a person reads.
std::string format_local(std::chrono::system_clock::time_point t, const char* format);
// Accepts both forms above (UTC, 'Z').
std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text);

}  // namespace md::util
