// The live protocol log: every IMAP/POP3/SMTP/HTTP line MailDoctor sends or receives, redacted at
// capture, kept in an in-memory ring for the window and appended to a per-account file in the
// data dir for `maildoctor log` and support reports.
//
// The files are written by a thread of the log's own: append() only formats and queues, so the
// UI, which reads the ring every frame, never waits on the disk. flush() waits for what is queued.
//
// What is kept on disk, per account: the current file `NAME.log` up to `max_file_bytes` (8 MiB by
// default), then it becomes `NAME.log.1` (the one before becomes `NAME.log.2`, and so on) and a
// new `NAME.log` starts. `generations` old files are kept (2 by default); the oldest goes. So an
// account's log never holds more than about max_file_bytes * (1 + generations) bytes, and always
// its newest lines. Lines are whole: a rotation happens between lines, never inside one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
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

// How big an account's file grows before it rotates, and how many old files are kept.
struct FileLimits {
  uint64_t max_file_bytes = 8ull * 1024 * 1024;  // 0: never rotate
  int generations = 2;                           // NAME.log.1 .. NAME.log.N; 0: the old file goes
};

class ProtoLog {
 public:
  // logs_dir empty: memory only (unit tests), and no writer thread.
  ProtoLog(size_t capacity, RedactHook redact, std::filesystem::path logs_dir = {}, FileLimits limits = {});
  // Writes what is still queued, then stops the writer.
  ~ProtoLog();
  ProtoLog(const ProtoLog&) = delete;
  ProtoLog& operator=(const ProtoLog&) = delete;

  // Thread-safe. Splits multi-line text into entries; strips CR/LF. Never touches the disk: the
  // lines are queued for the writer thread.
  void append(std::string_view account, std::string_view protocol, Direction direction, std::string_view text);

  // Returns once every line appended before the call is in its file (or failed to be written).
  // For whoever reads the files right after writing: the support report, tests.
  void flush();

  // Entries newer than `after_seq` (optionally one account only), oldest first, at most `limit`.
  // Finds the first newer entry by its seq, and one account's through its own index, so the cost
  // is that of the entries returned, not the ring's.
  std::vector<Entry> since(uint64_t after_seq, const std::optional<std::string>& account = std::nullopt,
                           size_t limit = SIZE_MAX) const;
  // The newest `n` entries of one account, oldest first (read from the newest end of its index).
  std::vector<Entry> tail(std::string_view account, size_t n) const;
  uint64_t last_seq() const;
  size_t size() const;
  // How many entries of `account` the ring holds.
  size_t count(std::string_view account) const;

  // The persisted file of one account (names are sanitised to be safe file names).
  std::filesystem::path file_for(std::string_view account) const;

  // Writes "2026-11-29T10:00:00.123Z imap C: A1 NOOP" style lines; parsing is the inverse.
  static std::string format_line(const Entry& e);
  static std::optional<Entry> parse_line(std::string_view line);

  // The last `n` persisted lines of an account (0: all), oldest first. Reads the newest lines from
  // `file`, then from its rotated generations (file.1, file.2, ...) while fewer than `n` were found.
  static Result<std::vector<Entry>> read_persisted(const std::filesystem::path& file, size_t n);

 private:
  void write_loop();
  void write_batch(const std::string& account, const std::string& lines);

  size_t capacity_;
  RedactHook redact_;
  std::filesystem::path logs_dir_;
  FileLimits limits_;

  // The ring: what the UI reads. Held only for memory work.
  mutable std::mutex mu_;
  std::deque<Entry> ring_;  // seqs without gaps: ring_[i].seq == ring_.front().seq + i
  uint64_t next_seq_ = 1;
  // Each account's seqs in the ring, oldest first: one account's lines without scanning the others'.
  std::map<std::string, std::deque<uint64_t>, std::less<>> by_account_;

  // The writer's queue: formatted lines per append, in seq order. Taken only to push or swap.
  struct Pending {
    std::string account;
    std::string lines;  // whole lines, each ending in '\n'
  };
  std::mutex write_mu_;
  std::condition_variable write_cv_;  // the writer waits for work or stop
  std::condition_variable done_cv_;   // flush() waits for written_ to reach its ticket
  std::vector<Pending> queue_;
  uint64_t queued_ = 0, written_ = 0;  // batches queued, batches on disk
  bool stop_ = false;
  std::thread writer_;  // last: starts once the rest is built
};

}  // namespace md::protolog
