// An account's persisted protocol log on disk: where it lives, how it rotates (NAME.log ->
// NAME.log.1 -> NAME.log.2 ...), and reading it while MailDoctor (this process or another, the
// window or a CLI command) may still be appending to it: the last N lines without reading the
// whole file, continued from the older generations when the current file holds fewer, and
// following new lines across truncation and replacement (log rotation).
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace md::protolog {

// Where the log of `account` lives inside logs_dir (the name is made safe for a file name).
std::filesystem::path log_file_path(const std::filesystem::path& logs_dir, std::string_view account);

// Readers look at no more old generations than this, whatever the writer was configured with.
inline constexpr int kMaxLogGenerations = 9;

// The `generation`th older file of `file` (1: the one rotated last): "alice.log.1".
std::filesystem::path rotated_log_path(const std::filesystem::path& file, int generation);

// Moves `file` to generation 1, each older generation one further, and drops the one past
// `generations` (0: `file` is simply removed). Errors are ignored: the writer appends regardless.
void rotate_log_file(const std::filesystem::path& file, int generations);

// The byte offset where the last `n` lines of `file` start (an unterminated last line counts);
// nullopt when the file cannot be read.
std::optional<uint64_t> tail_offset(const std::filesystem::path& file, size_t n);

class LogFollower {
 public:
  explicit LogFollower(std::filesystem::path file) : path_(std::move(file)) {}
  ~LogFollower();
  LogFollower(const LogFollower&) = delete;
  LogFollower& operator=(const LogFollower&) = delete;

  // Opens the file and starts at the last `n` lines (nullopt: all of them). When the file holds
  // fewer, the rest come from the rotated generations before it, oldest first. False when there is
  // no readable file nor generation yet; poll() then waits for one to appear and reads it from its
  // start.
  bool open_at_tail(std::optional<size_t> n);

  enum class Event { none, appeared, truncated, replaced };
  using LineSink = std::function<void(std::string_view line)>;
  // Hands every complete line appended since the last call to `sink`, without its newline. A line
  // still being written is held back until its end arrives, unless `final` (nothing more will be
  // read: print what there is). Reports a file that appeared, shrank (read again from its start)
  // or was replaced by a new one (the old one's remaining lines are read first).
  Event poll(const LineSink& sink, bool final = false);

 private:
  void close();
  bool open_current();
  void drain(const LineSink& sink, bool final);

  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
  uint64_t offset_ = 0;  // next byte to read
  uint64_t dev_ = 0, ino_ = 0;
  std::string partial_;               // an unterminated line, waiting for its end
  std::vector<std::string> backlog_;  // lines of older generations, handed out by the next poll()
};

}  // namespace md::protolog
