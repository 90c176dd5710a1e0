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

namespace {

// A new, empty 0600 file beside `file` (the same folder: a link or rename never crosses file
// systems); its name in `temp`. -1 and errno on failure.
int open_temp_beside(const std::filesystem::path& file, std::string& temp) {
  std::filesystem::path dir = file.parent_path();
  if (dir.empty()) dir = ".";
  temp = (dir / ("." + file.filename().string() + ".tmp-XXXXXX")).string();
  return ::mkostemp(temp.data(), O_CLOEXEC);
}

bool write_all(int fd, std::string_view content) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    content.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Overwrites a secret's bytes before the string lets go of them (a volatile write is not elided).
void wipe(std::string& s) {
  volatile char* p = s.data();
  for (size_t i = 0; i < s.size(); ++i) p[i] = 0;
  s.clear();
}

// Best effort: the new directory entry should survive a power cut; some file systems refuse.
void sync_directory(const std::filesystem::path& file) {
  std::filesystem::path dir = file.parent_path();
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECTORY);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

}  // namespace

CreateOutcome create_owner_only(const std::filesystem::path& file, std::string_view content) {
  CreateOutcome out;
  std::string temp;
  int fd = open_temp_beside(file, temp);
  if (fd < 0) {
    out.error = std::strerror(errno);
    return out;
  }
  // The umask can only take bits away; make it exactly 0600 so the owner can read it back.
  bool ok = ::fchmod(fd, S_IRUSR | S_IWUSR) == 0 && write_all(fd, content) && ::fsync(fd) == 0;
  int err = errno;
  if (::close(fd) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (ok) {
    // link() fails if `file` exists (another process was first, or anything else is there).
    if (::link(temp.c_str(), file.c_str()) == 0) {
      ::unlink(temp.c_str());
      sync_directory(file);
      out.ok = true;
      return out;
    }
    err = errno;
    out.exists = err == EEXIST;
    if (err == EPERM || err == ENOTSUP || err == EOPNOTSUPP || err == ENOSYS || err == EMLINK || err == EXDEV) {
      if (::rename(temp.c_str(), file.c_str()) == 0) {
        sync_directory(file);
        out.ok = true;
        return out;
      }
      err = errno;
    }
  }
  ::unlink(temp.c_str());
  out.error = std::strerror(err);
  return out;
}

ReplaceOutcome replace_file(const std::filesystem::path& file, std::string_view content, Readers readers) {
  std::string temp;
  int fd = open_temp_beside(file, temp);
  if (fd < 0) {
    std::string error = std::strerror(errno);
    std::filesystem::path dir = file.parent_path();
    return {false, "cannot create a file in " + (dir.empty() ? std::string(".") : dir.string()), error};
  }
  auto abandon = [&](const char* step) {
    int err = errno;
    if (fd >= 0) ::close(fd);
    ::unlink(temp.c_str());
    return ReplaceOutcome{false, step, std::strerror(err)};
  };
  if (::fchmod(fd, readers == Readers::everyone ? 0644 : 0600) != 0)
    return abandon("cannot set the file's permissions");
  if (!write_all(fd, content)) return abandon("cannot write");
  if (::fsync(fd) != 0) return abandon("cannot flush to disk");
  int closed = ::close(fd);
  fd = -1;
  if (closed != 0) return abandon("cannot write");
  if (::rename(temp.c_str(), file.c_str()) != 0) return abandon("cannot put the file in place");
  sync_directory(file);
  return {true, {}, {}};
}

SecretFile read_owner_only(const std::filesystem::path& file, size_t limit) {
  SecretFile out;
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) {
      out.outcome = SecretFile::missing;
    } else {
      out.action = "open";
      out.error = std::strerror(errno);
    }
    return out;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    out.action = "inspect";
    out.error = std::strerror(errno);
  } else if (!S_ISREG(st.st_mode)) {
    out.outcome = SecretFile::not_regular;
  } else if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    out.outcome = SecretFile::exposed;
    char mode[16];
    std::snprintf(mode, sizeof mode, "mode %04o", static_cast<unsigned>(st.st_mode & 07777));
    out.error = mode;
    out.remedy = "chmod 600 '" + file.string() + "'";
  } else {
    out.size = static_cast<unsigned long long>(st.st_size);
    out.content.resize(limit);
    size_t got = 0;
    while (got < limit) {
      ssize_t n = ::read(fd, out.content.data() + got, limit - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (n < 0) {
          out.action = "read";
          out.error = std::strerror(errno);
        }
        break;
      }
      got += static_cast<size_t>(n);
    }
    if (!out.action.empty()) {
      wipe(out.content);
    } else {
      out.content.resize(got);  // shrinks in place: no copy of the bytes is left behind
      out.outcome = SecretFile::ok;
    }
  }
  ::close(fd);
  return out;
}

bool seek_to(std::FILE* f, unsigned long long offset) {
  return ::fseeko(f, static_cast<off_t>(offset), SEEK_SET) == 0;
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
