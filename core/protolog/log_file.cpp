#include "protolog/log_file.h"

#include <sys/stat.h>

#include <algorithm>
#include <string>
#include <system_error>
#include <vector>

#include "platform/files.h"

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

}  // namespace

std::filesystem::path log_file_path(const std::filesystem::path& logs_dir, std::string_view account) {
  return logs_dir / (safe_file_stem(account) + ".log");
}

std::filesystem::path rotated_log_path(const std::filesystem::path& file, int generation) {
  std::filesystem::path out = file;
  out += "." + std::to_string(generation);
  return out;
}

void rotate_log_file(const std::filesystem::path& file, int generations) {
  std::error_code ec;
  if (generations <= 0) {
    std::filesystem::remove(file, ec);
    return;
  }
  std::filesystem::remove(rotated_log_path(file, generations), ec);
  for (int g = generations - 1; g >= 1; --g)
    std::filesystem::rename(rotated_log_path(file, g), rotated_log_path(file, g + 1), ec);
  std::filesystem::rename(file, rotated_log_path(file, 1), ec);
}

namespace {

struct TailScan {
  uint64_t offset = 0;  // where the found lines start
  size_t lines = 0;     // how many were found (fewer than asked: the whole file)
};

TailScan scan_tail(std::FILE* f, uint64_t size, size_t n);

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    out.emplace_back(text.substr(0, eol));
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
  }
  return out;
}

// The last `n` lines of `file` (SIZE_MAX: all); nullopt when it cannot be read.
std::optional<std::vector<std::string>> last_lines(const std::filesystem::path& file, size_t n) {
  std::FILE* f = std::fopen(file.string().c_str(), "rb");
  if (f == nullptr) return std::nullopt;
  auto id = identity_of(file);
  const uint64_t size = id ? id->size : 0;
  const uint64_t from = scan_tail(f, size, n).offset;
  std::string text;
  if (size > from && platform::seek_to(f, from)) {
    text.resize(size - from);
    text.resize(std::fread(text.data(), 1, text.size(), f));
  }
  std::fclose(f);
  return split_lines(text);
}

}  // namespace

std::optional<uint64_t> tail_offset(const std::filesystem::path& file, size_t n) {
  std::FILE* f = std::fopen(file.string().c_str(), "rb");
  if (f == nullptr) return std::nullopt;
  auto id = identity_of(file);
  const uint64_t result = scan_tail(f, id ? id->size : 0, n).offset;
  std::fclose(f);
  return result;
}

namespace {

TailScan scan_tail(std::FILE* f, uint64_t size, size_t n) {
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
    if (!platform::seek_to(f, pos) || std::fread(buf.data(), 1, chunk, f) != chunk) break;
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
  // Not found: the whole file, whose first line had no newline before it.
  return {result, found ? n : (size > 0 ? newlines + 1 : 0)};
}

}  // namespace

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
  backlog_.clear();
  const size_t wanted = n.value_or(SIZE_MAX);  // SIZE_MAX: every line there is
  const bool present = open_current();
  size_t found = 0;
  if (present) {
    auto id = identity_of(path_);
    const TailScan scan = scan_tail(file_, id ? id->size : 0, wanted);
    offset_ = scan.offset;
    found = scan.lines;
  }
  // Fewer than asked: the rest from the generations before, newest first, each put before the last.
  for (int g = 1; g <= kMaxLogGenerations && found < wanted; ++g) {
    auto older = last_lines(rotated_log_path(path_, g), wanted == SIZE_MAX ? SIZE_MAX : wanted - found);
    if (!older) break;
    found += older->size();
    backlog_.insert(backlog_.begin(), std::make_move_iterator(older->begin()), std::make_move_iterator(older->end()));
  }
  return present || !backlog_.empty();
}

void LogFollower::drain(const LineSink& sink, bool final) {
  if (file_ == nullptr || !platform::seek_to(file_, offset_)) return;
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
  for (const std::string& line : backlog_) sink(line);
  backlog_.clear();
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
