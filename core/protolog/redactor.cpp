#include "protolog/redactor.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

#include "util/encoding.h"

namespace md::protolog {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

// Splits off the first space-separated word.
std::string_view next_word(std::string_view& rest) {
  size_t start = rest.find_first_not_of(' ');
  if (start == std::string_view::npos) {
    rest = {};
    return {};
  }
  rest.remove_prefix(start);
  size_t end = rest.find(' ');
  std::string_view word = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  return word;
}

bool looks_like_sasl_blob(std::string_view line) {
  if (line.size() < 8) return false;
  return std::all_of(line.begin(), line.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=';
  });
}

// Client commands that carry credentials: keep the verb (and the user name), drop the rest.
std::string redact_client_command(std::string_view line) {
  std::string_view rest = line;
  std::string_view first = next_word(rest);
  std::string_view second = next_word(rest);

  // POP3 PASS / SMTP-like single-verb commands.
  if (iequals(first, "PASS") && !second.empty()) return "PASS " + std::string(kRedacted);
  // POP3 and SMTP: AUTH MECH [initial-response]
  if (iequals(first, "AUTH") && !rest.empty() && rest.find_first_not_of(' ') != std::string_view::npos)
    return "AUTH " + std::string(second) + " " + std::string(kRedacted);
  // IMAP: TAG AUTHENTICATE MECH [initial-response]; TAG LOGIN user password
  std::string_view third = next_word(rest);
  if (iequals(second, "AUTHENTICATE") && rest.find_first_not_of(' ') != std::string_view::npos)
    return std::string(first) + " " + std::string(second) + " " + std::string(third) + " " + std::string(kRedacted);
  if (iequals(second, "LOGIN") && !third.empty())
    return std::string(first) + " " + std::string(second) + " " + std::string(third) + " " + std::string(kRedacted);
  // A bare base64 line from the client is a SASL continuation answer (PLAIN/XOAUTH2 payload).
  if (looks_like_sasl_blob(line)) return std::string(kRedacted);
  return std::string(line);
}

// HTTP header and body fields that carry secrets.
constexpr std::array<std::string_view, 2> kSecretHeaders = {"authorization:", "proxy-authorization:"};
constexpr std::array<std::string_view, 10> kSecretFields = {
    "access_token", "refresh_token", "id_token",    "client_secret", "code_verifier",
    "code",         "password",      "device_code", "assertion",     "token"};

// Masks `name=value` (form) and `"name":"value"` (JSON) occurrences of the secret fields.
std::string redact_fields(std::string line) {
  for (std::string_view field : kSecretFields) {
    // form-encoded: name=value&...
    for (size_t pos = 0; (pos = line.find(field, pos)) != std::string::npos;) {
      size_t name_end = pos + field.size();
      bool starts_field = pos == 0 || line[pos - 1] == '&' || line[pos - 1] == '?' || line[pos - 1] == ' ';
      if (starts_field && name_end < line.size() && line[name_end] == '=') {
        size_t value_start = name_end + 1;
        size_t value_end = line.find_first_of("& ", value_start);
        if (value_end == std::string::npos) value_end = line.size();
        line.replace(value_start, value_end - value_start, kRedacted);
        pos = value_start + kRedacted.size();
      } else {
        pos = name_end;
      }
    }
    // JSON: "name" : "value"
    std::string quoted = "\"" + std::string(field) + "\"";
    for (size_t pos = 0; (pos = line.find(quoted, pos)) != std::string::npos;) {
      size_t colon = line.find_first_not_of(" \t", pos + quoted.size());
      if (colon == std::string::npos || line[colon] != ':') {
        pos += quoted.size();
        continue;
      }
      size_t open = line.find_first_not_of(" \t", colon + 1);
      if (open == std::string::npos || line[open] != '"') {
        pos += quoted.size();
        continue;
      }
      size_t close = open + 1;
      while (close < line.size() && line[close] != '"') close += line[close] == '\\' ? 2 : 1;
      close = std::min(close, line.size());
      line.replace(open + 1, close - open - 1, kRedacted);
      pos = open + 1 + kRedacted.size();
    }
  }
  return line;
}

}  // namespace

std::string redact_patterns(std::string_view line, Direction direction) {
  std::string lower(line.substr(0, 32));
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (std::string_view header : kSecretHeaders) {
    if (lower.starts_with(header)) {
      // Keep the scheme ("Bearer", "Basic"), drop the credentials.
      std::string_view rest = line.substr(header.size());
      std::string_view scheme = next_word(rest);
      return std::string(line.substr(0, header.size())) + " " + std::string(scheme) + " " + std::string(kRedacted);
    }
  }
  std::string out = direction == Direction::client ? redact_client_command(line) : std::string(line);
  return redact_fields(std::move(out));
}

void Redactor::add_secret(std::string_view secret) {
  if (secret.size() < 4) return;
  std::lock_guard lock(mu_);
  needles_.emplace(secret);
  std::string b64 = util::base64_encode(secret);
  needles_.insert(b64);
  // Inside a longer encoded payload only the secret's whole 3-byte groups encode the same way.
  if (secret.size() >= 12) needles_.insert(b64.substr(0, secret.size() / 3 * 4));
  // Unpadded, as JWT-style and some SASL encoders write it.
  if (size_t end = b64.find_last_not_of('='); end != std::string::npos) needles_.insert(b64.substr(0, end + 1));
  needles_.insert(util::url_encode(secret));
}

std::string Redactor::redact(std::string_view line, Direction direction) const {
  return mask_secrets(redact_patterns(line, direction));
}

std::string Redactor::mask_secrets(std::string_view text) const {
  std::string out(text);
  std::lock_guard lock(mu_);
  if (needles_.empty()) return out;
  // Longest first: a shorter needle that is a prefix of a longer one (base64 with and without
  // padding) must not leave the longer one's tail behind.
  std::vector<const std::string*> order;
  for (const std::string& n : needles_) order.push_back(&n);
  std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->size() > b->size(); });
  for (const std::string* needle : order) {
    for (size_t pos = 0; (pos = out.find(*needle, pos)) != std::string::npos;) {
      out.replace(pos, needle->size(), kRedacted);
      pos += kRedacted.size();
    }
  }
  return out;
}

bool Redactor::has_secrets() const {
  std::lock_guard lock(mu_);
  return !needles_.empty();
}

}  // namespace md::protolog
