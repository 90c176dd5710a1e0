#include "oauth/json_body.h"

#include <algorithm>
#include <cmath>

namespace md::oauth {
namespace {

// Nesting depth of [ and { outside strings; stops counting once past the limit.
bool nesting_within(std::string_view body, int limit) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

}  // namespace

std::optional<nlohmann::json> parse_json_object(std::string_view body) {
  if (!nesting_within(body, kMaxJsonDepth)) return std::nullopt;
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

Field string_field(const nlohmann::json& obj, const char* key, std::string& out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return Field::absent;
  if (!it->is_string()) return Field::wrong_type;
  out = it->get<std::string>();
  return Field::ok;
}

Field seconds_field(const nlohmann::json& obj, const char* key, std::chrono::seconds max, std::chrono::seconds& out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return Field::absent;
  double v = -1;
  if (it->is_number()) {
    v = it->get<double>();
  } else if (it->is_string()) {
    const std::string& text = it->get_ref<const std::string&>();
    if (text.empty() || text.size() > 12 ||
        !std::all_of(text.begin(), text.end(), [](unsigned char c) { return c >= '0' && c <= '9'; }))
      return Field::wrong_type;
    v = std::stod(text);
  } else {
    return Field::wrong_type;
  }
  if (!std::isfinite(v) || v < 0 || v > static_cast<double>(max.count())) return Field::wrong_type;
  out = std::chrono::seconds(static_cast<long long>(v));
  return Field::ok;
}

std::string one_line(std::string_view text, size_t max) {
  std::string out;
  out.reserve(std::min(text.size(), max) + 3);
  for (char c : text.substr(0, max)) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\r' || c == '\n' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += (u >= 0x20 && u < 0x7f) ? c : '.';
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (text.size() > max) out += "...";
  return out;
}

}  // namespace md::oauth
