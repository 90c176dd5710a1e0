// The live protocol log: every IMAP/POP3/SMTP/HTTP line MailDoctor sends or receives, redacted at
// capture, kept in an in-memory ring for the window and appended to a per-account file in the
// data dir for `maildoctor log` and support reports.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "protolog/redactor.h"
#include "result.h"

namespace md::protolog {

struct Entry {
  uint64_t seq = 0;  // strictly increasing, so the UI can ask "what is new since N"
  std::chrono::system_clock::time_point at;
  std::string account;
  std::string protocol;  // "imap", "pop3", "smtp", "http", "app"
  Direction direction = Direction::info;
  std::string text;  // already redacted, one line, no CR/LF
};

const char* to_string(Direction d);

// Applied to every line at capture; the default is a Redactor's redact().
using RedactHook = std::function<std::string(std::string_view line, Direction direction)>;

class ProtoLog {
 public:
  // logs_dir empty: memory only (unit tests).
  ProtoLog(size_t capacity, RedactHook redact, std::filesystem::path logs_dir = {});

  // Thread-safe. Splits multi-line text into entries; strips CR/LF.
  void append(std::string_view account, std::string_view protocol, Direction direction, std::string_view text);

  // Entries newer than `after_seq` (optionally one account only), oldest first.
  // Finds the first newer entry by its seq, so the cost is that of the new entries, not the ring's.
  std::vector<Entry> since(uint64_t after_seq, const std::optional<std::string>& account = std::nullopt) const;
  // The newest `n` entries of one account, oldest first (read from the newest end).
  std::vector<Entry> tail(std::string_view account, size_t n) const;
  uint64_t last_seq() const;
  size_t size() const;

  // The persisted file of one account (names are sanitised to be safe file names).
  std::filesystem::path file_for(std::string_view account) const;

  // Writes "2026-11-29T10:00:00.123Z imap C: A1 NOOP" style lines; parsing is the inverse.
  static std::string format_line(const Entry& e);
  static std::optional<Entry> parse_line(std::string_view line);

  // The last `n` persisted lines of an account (0: all), for `maildoctor log`.
  static Result<std::vector<Entry>> read_persisted(const std::filesystem::path& file, size_t n);

 private:
  size_t capacity_;
  RedactHook redact_;
  std::filesystem::path logs_dir_;
  mutable std::mutex mu_;
  std::deque<Entry> ring_;
  uint64_t next_seq_ = 1;
};

}  // namespace md::protolog
