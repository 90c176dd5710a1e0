#include "sync/sync_lock.h"

#include <cerrno>
#include <cstring>
#include <string>

#if !defined(_WIN32)
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#endif

namespace md::sync {

#if defined(_WIN32)
// Windows builds are not tested yet: no cross-process lock there so far.
Result<SyncLock> SyncLock::acquire(const std::filesystem::path&) {
  return SyncLock(-1);
}
SyncLock::~SyncLock() = default;
#else
Result<SyncLock> SyncLock::acquire(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return fail("datadir.unusable", "cannot open the sync lock " + file.string() + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    char buf[32] = {};
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    std::string holder = n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    ::close(fd);
    if (err == EWOULDBLOCK)
      return fail("sync.busy", "another MailDoctor" + (holder.empty() ? std::string() : " (process " + holder + ")") +
                                   " is syncing this account right now; wait for it to finish and try again");
    return fail("datadir.unusable", "cannot lock " + file.string() + ": " + std::strerror(err));
  }
  // Who holds it, for the message above; the lock, not the content, is what counts.
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, pid.data(), pid.size(), 0);
  return SyncLock(fd);
}

SyncLock::~SyncLock() {
  if (fd_ >= 0) ::close(fd_);
}
#endif

}  // namespace md::sync
