// Reading JSON that a server sent: bounded nesting, objects only, and typed field access that
// tells "absent" apart from "present with the wrong type". Every OAuth answer goes through here.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace md::oauth {

// Deeper documents are refused before parsing: no OAuth answer nests more than a few levels.
inline constexpr int kMaxJsonDepth = 32;

// The body as a JSON object; nullopt for anything else (HTML, garbage, an array, too deep).
std::optional<nlohmann::json> parse_json_object(std::string_view body);

enum class Field { absent, ok, wrong_type };

// Reads obj[key] as a string (null counts as absent).
Field string_field(const nlohmann::json& obj, const char* key, std::string& out);

// Reads obj[key] as a whole number of seconds from 0 to max (null counts as absent). A numeric
// string ("3599") counts too: Entra ID's v1 endpoints and AD FS send expires_in that way.
// Fractions are cut off; anything else, negative or above max is wrong_type.
Field seconds_field(const nlohmann::json& obj, const char* key, std::chrono::seconds max, std::chrono::seconds& out);

// Untrusted text made fit for a one-line failure detail: line breaks and tabs become spaces,
// other control and non-ASCII bytes '.', cut at `max` with "...".
std::string one_line(std::string_view text, size_t max = 300);

}  // namespace md::oauth
