// Files as the rest of the core needs them, on every platform: a cross-process lock, files written
// whole or not at all, 64-bit seeks, and files and folders that only the current user can read
// (POSIX modes 0600/0700; on Windows an ACL that grants the current user alone, with inheritance
// from the parent cut).
#pragma once

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include "result.h"

namespace md::platform {

// An exclusive, non-blocking lock on a file (created if missing) held until destruction; another
// process asking for the same file gets `busy` = true. flock() on POSIX, LockFileEx on Windows.
class FileLock {
 public:
  FileLock() = default;
  ~FileLock();
  FileLock(FileLock&& o) noexcept : handle_(o.handle_) { o.handle_ = kNone; }
  FileLock& operator=(FileLock&& o) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  struct Outcome;
  // Writes `note` (the holder's pid, for the busy message) into the file once locked.
  static Outcome acquire(const std::filesystem::path& file, std::string_view note);
  bool held() const { return handle_ != kNone; }

 private:
  static constexpr long long kNone = -1;
  long long handle_ = kNone;  // an fd on POSIX, a HANDLE on Windows
};

struct FileLock::Outcome {
  FileLock lock;
  bool busy = false;   // another process holds it
  std::string holder;  // what that process wrote (its pid), when busy
  std::string error;   // the system's words when the file could not be opened or locked
};

// This process's id.
long current_pid();

// Restricts an existing file or folder to the current user.
Result<void> restrict_to_owner(const std::filesystem::path& path);

// Creates `file` with `content`, readable by the current user only from the first instant: a file
// that already exists is an error (`exists` set), never overwritten. POSIX: written to a 0600 temp
// file beside it, then link()ed in place, so a reader never sees it half written (rename() where
// the file system has no hard links); Windows: CREATE_NEW with an owner-only security descriptor.
struct CreateOutcome {
  bool ok = false;
  bool exists = false;
  std::string error;
};
CreateOutcome create_owner_only(const std::filesystem::path& file, std::string_view content);

// Who may read a file that replace_file() writes: the current user alone (POSIX 0600, an
// owner-only ACL), or everyone (0644; on Windows the folder's inherited ACL).
enum class Readers { owner, everyone };

// Replaces `file` with `content` whole or not at all: a new temp file in the same folder (so the
// rename cannot cross file systems), flushed to disk, then renamed over `file`. A reader sees the
// old file or the whole new one, and a failure leaves no temp file behind.
struct ReplaceOutcome {
  bool ok = false;
  std::string step;   // what failed: "cannot write", "cannot put the file in place"...
  std::string error;  // the system's words
};
ReplaceOutcome replace_file(const std::filesystem::path& file, std::string_view content, Readers readers);

// Reads a file that keeps a secret, at most `limit` bytes. Opened without blocking (a FIFO cannot
// hang us) and checked through what was opened, so what is checked is what is read: a regular file
// and, on POSIX, no permission for group or others (on Windows the content protects itself: DPAPI).
struct SecretFile {
  enum Outcome { ok, missing, failed, not_regular, exposed };
  Outcome outcome = failed;
  std::string content;          // ok: the first `limit` bytes; the caller wipes them
  unsigned long long size = 0;  // ok: the file's size when opened
  std::string action;           // failed: what could not be done ("open", "inspect", "read")
  std::string error;            // failed: the system's words, if any; exposed: how ("mode 0644")
  std::string remedy;           // exposed: the command that fixes it
};
SecretFile read_owner_only(const std::filesystem::path& file, size_t limit);

// fseek to a 64-bit offset from the start (a long is 32 bits on Windows).
bool seek_to(std::FILE* f, unsigned long long offset);

// Describes how `path` is protected, for reports: "mode 0600", "owner-only ACL".
std::string describe_protection(const std::filesystem::path& path);

}  // namespace md::platform
