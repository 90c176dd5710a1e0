#include "sync/envelope.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "util/encoding.h"

namespace md::sync {
namespace {

constexpr size_t kMaxHeaderBytes = 256 * 1024;
constexpr size_t kMaxFieldBytes = 4096;  // for display; a longer field is cut

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// One encoded word's text ("=?charset?enc?text?="), or nullopt when it is not one we can decode.
std::optional<std::string> decode_word(std::string_view word) {
  if (word.size() < 8 || !word.starts_with("=?") || !word.ends_with("?=")) return std::nullopt;
  std::string_view inner = word.substr(2, word.size() - 4);
  size_t q1 = inner.find('?');
  if (q1 == std::string_view::npos || q1 + 2 >= inner.size() || inner[q1 + 2] != '?') return std::nullopt;
  std::string_view charset = inner.substr(0, q1);
  if (size_t star = charset.find('*'); star != std::string_view::npos) charset = charset.substr(0, star);  // RFC 2231
  if (!iequals(charset, "utf-8") && !iequals(charset, "us-ascii")) return std::nullopt;
  char encoding = static_cast<char>(std::toupper(static_cast<unsigned char>(inner[q1 + 1])));
  std::string_view text = inner.substr(q1 + 3);
  if (encoding == 'B') {
    std::string padded(text);
    while (padded.size() % 4 != 0) padded += '=';
    return util::base64_decode(padded);
  }
  if (encoding != 'Q') return std::nullopt;
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '_') {
      out += ' ';
    } else if (text[i] == '=' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

std::string decode_encoded_words(std::string_view text) {
  std::string out;
  size_t pos = 0;
  bool last_was_word = false;
  std::string pending_space;  // whitespace after an encoded word, dropped if another one follows
  while (pos < text.size()) {
    size_t start = text.find("=?", pos);
    if (start == std::string_view::npos) break;
    // An encoded word has no spaces and ends at the first "?=" after its charset and encoding.
    size_t q1 = text.find('?', start + 2);
    size_t q2 = q1 == std::string_view::npos ? q1 : text.find('?', q1 + 1);
    size_t end = q2 == std::string_view::npos ? q2 : text.find("?=", q2 + 1);
    std::optional<std::string> decoded;
    if (end != std::string_view::npos) {
      std::string_view word = text.substr(start, end + 2 - start);
      if (word.find(' ') == std::string_view::npos) decoded = decode_word(word);
    }
    if (!decoded) {
      out += text.substr(pos, start + 2 - pos);
      pos = start + 2;
      last_was_word = false;
      continue;
    }
    std::string_view between = text.substr(pos, start - pos);
    bool only_space = std::all_of(between.begin(), between.end(), [](char c) { return c == ' ' || c == '\t'; });
    if (!(last_was_word && only_space)) out += between;
    out += *decoded;
    pos = end + 2;
    last_was_word = true;
  }
  out += text.substr(pos);
  return out;
}

Envelope parse_envelope(std::string_view message) {
  std::string_view header = message.substr(0, std::min(message.size(), kMaxHeaderBytes));
  Envelope env;
  std::string* current = nullptr;  // the field whose continuation lines follow
  size_t pos = 0;
  while (pos < header.size()) {
    size_t eol = header.find('\n', pos);
    std::string_view line = header.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    pos = eol == std::string_view::npos ? header.size() : eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // end of the header
    if (line.front() == ' ' || line.front() == '\t') {
      if (current != nullptr && current->size() < kMaxFieldBytes) *current += " " + std::string(trim(line));
      continue;
    }
    current = nullptr;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = trim(line.substr(0, colon));
    std::string* field = iequals(name, "From")         ? &env.from
                         : iequals(name, "Subject")    ? &env.subject
                         : iequals(name, "Date")       ? &env.date
                         : iequals(name, "Message-ID") ? &env.message_id
                                                       : nullptr;
    if (field == nullptr || !field->empty()) continue;  // the first occurrence counts
    *field = std::string(trim(line.substr(colon + 1)));
    current = field;
  }
  for (std::string* f : {&env.from, &env.subject, &env.date, &env.message_id}) {
    if (f->size() > kMaxFieldBytes) f->resize(kMaxFieldBytes);
    *f = decode_encoded_words(*f);
  }
  return env;
}

}  // namespace md::sync
