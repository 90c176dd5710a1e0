// One sync per account at a time, across processes (the window and the CLI, two terminals): an
// advisory lock on a file in the data dir (flock on POSIX, LockFileEx on Windows), released when
// the holder ends however it ends.
#pragma once

#include <filesystem>

#include "platform/files.h"
#include "result.h"

namespace md::sync {

class SyncLock {
 public:
  // Does not wait: sync.busy when another process holds it (the detail names its pid when known).
  static Result<SyncLock> acquire(const std::filesystem::path& file);
  SyncLock(SyncLock&& other) noexcept = default;
  SyncLock& operator=(SyncLock&&) = delete;
  SyncLock(const SyncLock&) = delete;
  ~SyncLock() = default;

 private:
  explicit SyncLock(platform::FileLock lock) : lock_(std::move(lock)) {}
  platform::FileLock lock_;
};

}  // namespace md::sync
