// Files as the rest of the core needs them, on every platform: a cross-process lock, and files and
// folders that only the current user can read (POSIX modes 0600/0700; on Windows an ACL that
// grants the current user alone, with inheritance from the parent cut).
#pragma once

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

// Creates `file` with `content`, readable by the current user only from the first instant
// (O_CREAT|O_EXCL 0600; CREATE_NEW with an owner-only security descriptor): a file that already
// exists is an error (`exists` set), never overwritten.
struct CreateOutcome {
  bool ok = false;
  bool exists = false;
  std::string error;
};
CreateOutcome create_owner_only(const std::filesystem::path& file, std::string_view content);

// Describes how `path` is protected, for reports: "mode 0600", "owner-only ACL".
std::string describe_protection(const std::filesystem::path& path);

}  // namespace md::platform
