// One sync per account at a time, across processes (the window and the CLI, two terminals): an
// advisory lock (flock) on a file in the data dir, released when the holder ends however it ends.
#pragma once

#include <filesystem>

#include "result.h"

namespace md::sync {

class SyncLock {
 public:
  // Does not wait: sync.busy when another process holds it (the detail names its pid when known).
  static Result<SyncLock> acquire(const std::filesystem::path& file);
  SyncLock(SyncLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  SyncLock& operator=(SyncLock&&) = delete;
  SyncLock(const SyncLock&) = delete;
  ~SyncLock();

 private:
  explicit SyncLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace md::sync
