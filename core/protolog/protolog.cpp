#include "protolog/protolog.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>

#include "protolog/log_file.h"
#include "util/time.h"

namespace md::protolog {
namespace {

char direction_mark(Direction d) {
  switch (d) {
    case Direction::client: return 'C';
    case Direction::server: return 'S';
    case Direction::info: return '*';
  }
  return '*';
}

}  // namespace

const char* to_string(Direction d) {
  switch (d) {
    case Direction::client: return "client";
    case Direction::server: return "server";
    case Direction::info: return "info";
  }
  return "info";
}

ProtoLog::ProtoLog(size_t capacity, RedactHook redact, std::filesystem::path logs_dir)
    : capacity_(capacity == 0 ? 1 : capacity), redact_(std::move(redact)), logs_dir_(std::move(logs_dir)) {}

void ProtoLog::append(std::string_view account, std::string_view protocol, Direction direction, std::string_view text) {
  auto now = std::chrono::system_clock::now();
  std::vector<Entry> fresh;
  // One entry per line; a trailing CRLF does not make an empty entry.
  while (!text.empty()) {
    size_t eol = text.find_first_of("\r\n");
    std::string_view line = text.substr(0, eol);
    if (eol == std::string_view::npos) {
      text = {};
    } else {
      bool crlf = text[eol] == '\r' && eol + 1 < text.size() && text[eol + 1] == '\n';
      text.remove_prefix(eol + (crlf ? 2 : 1));
    }
    Entry e;
    e.at = now;
    e.account = account;
    e.protocol = protocol;
    e.direction = direction;
    e.text = redact_ ? redact_(line, direction) : std::string(line);
    fresh.push_back(std::move(e));
  }
  if (fresh.empty()) return;

  std::lock_guard lock(mu_);
  std::string persisted;
  for (Entry& e : fresh) {
    e.seq = next_seq_++;
    if (!logs_dir_.empty()) persisted += format_line(e) + "\n";
    ring_.push_back(std::move(e));
    if (ring_.size() > capacity_) ring_.pop_front();
  }
  if (!persisted.empty()) {
    // Append-only; opened per batch so that rotation or deletion by the user is harmless. A log
    // that cannot be written must not stop the work it describes, so errors are ignored here.
    if (std::FILE* f = std::fopen(file_for(account).string().c_str(), "ab")) {
      std::fwrite(persisted.data(), 1, persisted.size(), f);
      std::fclose(f);
    }
  }
}

std::vector<Entry> ProtoLog::since(uint64_t after_seq, const std::optional<std::string>& account) const {
  std::lock_guard lock(mu_);
  std::vector<Entry> out;
  // seq grows along the ring.
  auto first =
      std::upper_bound(ring_.begin(), ring_.end(), after_seq, [](uint64_t seq, const Entry& e) { return seq < e.seq; });
  for (auto it = first; it != ring_.end(); ++it)
    if (!account || it->account == *account) out.push_back(*it);
  return out;
}

std::vector<Entry> ProtoLog::tail(std::string_view account, size_t n) const {
  std::lock_guard lock(mu_);
  std::vector<Entry> out;
  for (auto it = ring_.rbegin(); it != ring_.rend() && out.size() < n; ++it)
    if (it->account == account) out.push_back(*it);
  std::reverse(out.begin(), out.end());
  return out;
}

uint64_t ProtoLog::last_seq() const {
  std::lock_guard lock(mu_);
  return next_seq_ - 1;
}

size_t ProtoLog::size() const {
  std::lock_guard lock(mu_);
  return ring_.size();
}

std::filesystem::path ProtoLog::file_for(std::string_view account) const {
  return log_file_path(logs_dir_, account);
}

std::string ProtoLog::format_line(const Entry& e) {
  std::string out = util::format_iso8601_ms(e.at);
  out += ' ';
  out += e.protocol.empty() ? "-" : e.protocol;
  out += ' ';
  out += direction_mark(e.direction);
  out += ": ";
  out += e.text;
  return out;
}

std::optional<Entry> ProtoLog::parse_line(std::string_view line) {
  size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return std::nullopt;
  size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || sp2 + 3 > line.size() || line.substr(sp2 + 2, 1) != ":") return std::nullopt;
  auto at = util::parse_iso8601(line.substr(0, sp1));
  if (!at) return std::nullopt;
  Entry e;
  e.at = *at;
  e.protocol = line.substr(sp1 + 1, sp2 - sp1 - 1);
  switch (line[sp2 + 1]) {
    case 'C': e.direction = Direction::client; break;
    case 'S': e.direction = Direction::server; break;
    case '*': e.direction = Direction::info; break;
    default: return std::nullopt;
  }
  std::string_view text = line.substr(sp2 + 3);
  if (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  e.text = text;
  return e;
}

Result<std::vector<Entry>> ProtoLog::read_persisted(const std::filesystem::path& file, size_t n) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail("log.missing", "No protocol log yet at " + file.string());
  std::deque<Entry> kept;
  std::string line;
  while (std::getline(in, line)) {
    auto e = parse_line(line);
    if (!e) continue;  // a torn last line after a crash is skipped, not fatal
    kept.push_back(std::move(*e));
    if (n > 0 && kept.size() > n) kept.pop_front();
  }
  return std::vector<Entry>(kept.begin(), kept.end());
}

}  // namespace md::protolog
