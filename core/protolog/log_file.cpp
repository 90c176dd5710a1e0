#include "protolog/log_file.h"

#include <sys/stat.h>

#include <algorithm>
#include <vector>

namespace md::protolog {
namespace {

std::string safe_file_stem(std::string_view account) {
  std::string out;
  for (char c : account) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.' || c == '@';
    out += ok ? c : '_';
  }
  if (out.empty() || out[0] == '.') out.insert(out.begin(), '_');
  return out;
}

struct Identity {
  uint64_t dev = 0, ino = 0, size = 0;
};

std::optional<Identity> identity_of(const std::filesystem::path& p) {
  struct stat st {};
  if (::stat(p.string().c_str(), &st) != 0) return std::nullopt;
  return Identity{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
                  static_cast<uint64_t>(st.st_size)};
}

bool seek_to(std::FILE* f, uint64_t offset) {
#if defined(_WIN32)
  return _fseeki64(f, static_cast<__int64>(offset), SEEK_SET) == 0;
#else
  return fseeko(f, static_cast<off_t>(offset), SEEK_SET) == 0;
#endif
}

}  // namespace

std::filesystem::path log_file_path(const std::filesystem::path& logs_dir, std::string_view account) {
  return logs_dir / (safe_file_stem(account) + ".log");
}

std::optional<uint64_t> tail_offset(const std::filesystem::path& file, size_t n) {
  std::FILE* f = std::fopen(file.string().c_str(), "rb");
  if (f == nullptr) return std::nullopt;
  auto id = identity_of(file);
  uint64_t size = id ? id->size : 0;
  // Backwards in chunks: a log of months must not be read whole to show its last lines.
  uint64_t pos = size;
  uint64_t result = 0;
  bool found = false, last_byte_seen = false;
  size_t newlines = 0;
  std::vector<char> buf(64 * 1024);
  if (n == 0) {
    result = size;
    found = true;
  }
  while (!found && pos > 0) {
    uint64_t chunk = std::min<uint64_t>(pos, buf.size());
    pos -= chunk;
    if (!seek_to(f, pos) || std::fread(buf.data(), 1, chunk, f) != chunk) break;
    for (uint64_t i = chunk; i-- > 0;) {
      if (!last_byte_seen) {
        last_byte_seen = true;
        if (buf[i] == '\n') continue;  // the terminator of the last line starts no line
      }
      if (buf[i] == '\n' && ++newlines == n) {
        result = pos + i + 1;
        found = true;
        break;
      }
    }
  }
  std::fclose(f);
  return result;
}

LogFollower::~LogFollower() {
  close();
}

void LogFollower::close() {
  if (file_ != nullptr) std::fclose(file_);
  file_ = nullptr;
  partial_.clear();
}

bool LogFollower::open_current() {
  close();
  file_ = std::fopen(path_.string().c_str(), "rb");
  if (file_ == nullptr) return false;
  auto id = identity_of(path_);
  dev_ = id ? id->dev : 0;
  ino_ = id ? id->ino : 0;
  offset_ = 0;
  return true;
}

bool LogFollower::open_at_tail(std::optional<size_t> n) {
  if (!open_current()) return false;
  if (n) offset_ = tail_offset(path_, *n).value_or(0);
  return true;
}

void LogFollower::drain(const LineSink& sink, bool final) {
  if (file_ == nullptr || !seek_to(file_, offset_)) return;
  char buf[16 * 1024];
  for (;;) {
    size_t got = std::fread(buf, 1, sizeof buf, file_);
    if (got == 0) break;
    offset_ += got;
    std::string_view chunk(buf, got);
    for (size_t eol; (eol = chunk.find('\n')) != std::string_view::npos;) {
      partial_.append(chunk.substr(0, eol));
      sink(partial_);
      partial_.clear();
      chunk.remove_prefix(eol + 1);
    }
    partial_.append(chunk);
  }
  std::clearerr(file_);  // EOF now is not EOF for the next poll
  if (final && !partial_.empty()) {
    sink(partial_);
    partial_.clear();
  }
}

LogFollower::Event LogFollower::poll(const LineSink& sink, bool final) {
  auto id = identity_of(path_);
  if (file_ == nullptr) {
    if (!id || !open_current()) return Event::none;
    drain(sink, final);
    return Event::appeared;
  }
  // Identity is device + inode; where the platform has none (0), only shrinking is noticed.
  const bool replaced = id && (id->dev != dev_ || id->ino != ino_) && id->ino != 0;
  if (replaced) {
    drain(sink, true);  // the old file's last lines, then the new file from its start
    if (!open_current()) return Event::none;
    drain(sink, final);
    return Event::replaced;
  }
  if (id && id->size < offset_) {
    offset_ = 0;
    partial_.clear();
    drain(sink, final);
    return Event::truncated;
  }
  // A removed file (id missing) may be followed by a new one: keep reading the old until then.
  drain(sink, final);
  return Event::none;
}

}  // namespace md::protolog
