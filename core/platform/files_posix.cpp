#if !defined(_WIN32)
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "platform/files.h"

namespace md::platform {

FileLock::~FileLock() {
  if (handle_ != kNone) ::close(static_cast<int>(handle_));
}

FileLock& FileLock::operator=(FileLock&& o) noexcept {
  if (this != &o) {
    if (handle_ != kNone) ::close(static_cast<int>(handle_));
    handle_ = o.handle_;
    o.handle_ = kNone;
  }
  return *this;
}

FileLock::Outcome FileLock::acquire(const std::filesystem::path& file, std::string_view note) {
  Outcome out;
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    out.error = std::strerror(errno);
    return out;
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    char buf[32] = {};
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    ::close(fd);
    if (err != EWOULDBLOCK) {
      out.error = std::strerror(err);
      return out;
    }
    out.busy = true;
    out.holder = n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
    while (!out.holder.empty() && (out.holder.back() == '\n' || out.holder.back() == ' ')) out.holder.pop_back();
    return out;
  }
  // Who holds it, for the busy message; the lock, not the content, is what counts.
  if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, note.data(), note.size(), 0);
  out.lock.handle_ = fd;
  return out;
}

long current_pid() {
  return static_cast<long>(::getpid());
}

Result<void> restrict_to_owner(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return fail("datadir.unusable", "Cannot restrict " + path.string() + ": " + std::strerror(errno));
  mode_t mode = S_ISDIR(st.st_mode) ? 0700 : 0600;
  if (::chmod(path.c_str(), mode) != 0)
    return fail("datadir.unusable", "Cannot restrict " + path.string() + ": " + std::strerror(errno));
  return {};
}

CreateOutcome create_owner_only(const std::filesystem::path& file, std::string_view content) {
  CreateOutcome out;
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, S_IRUSR | S_IWUSR);
  if (fd < 0) {
    out.exists = errno == EEXIST;
    out.error = std::strerror(errno);
    return out;
  }
  bool ok = ::fchmod(fd, S_IRUSR | S_IWUSR) == 0;
  while (ok && !content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      ok = false;
    else
      content.remove_prefix(static_cast<size_t>(n));
  }
  ok = ok && ::fsync(fd) == 0;
  if (!ok) out.error = std::strerror(errno);
  ::close(fd);
  if (!ok) ::unlink(file.c_str());
  out.ok = ok;
  return out;
}

std::string describe_protection(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "missing";
  char buf[16];
  std::snprintf(buf, sizeof buf, "mode %04o", static_cast<unsigned>(st.st_mode & 07777));
  return buf;
}

}  // namespace md::platform
#endif
