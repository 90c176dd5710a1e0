// Redaction applied when a protocol line is captured, before it reaches the ring buffer, the
// persisted log, a report or the screen. Two layers: protocol patterns that know where secrets sit
// (AUTHENTICATE arguments, PASS, Authorization headers, token fields in HTTP bodies), and the exact
// secrets in use (tokens, passwords, client secrets) in raw, base64 and URL-encoded forms.
#pragma once

#include <mutex>
#include <set>
#include <string>
#include <string_view>

namespace md::protolog {

inline constexpr std::string_view kRedacted = "<redacted>";

enum class Direction { client, server, info };

class Redactor {
 public:
  // Registers a secret; every later line containing it (in any of its encodings) is masked.
  // Secrets shorter than 4 bytes are ignored: masking them would garble ordinary text.
  void add_secret(std::string_view secret);
  // The protocol patterns, then the registered secrets.
  std::string redact(std::string_view line, Direction direction) const;
  // The registered secrets alone: the second line of defence for text that was redacted at
  // capture already (the persisted log as `log` prints it, a support report).
  std::string mask_secrets(std::string_view text) const;
  bool has_secrets() const;

 private:
  mutable std::mutex mu_;
  std::set<std::string, std::less<>> needles_;  // every encoded form of every secret
};

// The protocol patterns alone (no registered secrets); exposed for unit tests and fuzzing.
std::string redact_patterns(std::string_view line, Direction direction);

}  // namespace md::protolog
