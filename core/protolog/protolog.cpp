#include "protolog/protolog.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <system_error>

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

ProtoLog::ProtoLog(size_t capacity, RedactHook redact, std::filesystem::path logs_dir, FileLimits limits)
    : capacity_(capacity == 0 ? 1 : capacity),
      redact_(std::move(redact)),
      logs_dir_(std::move(logs_dir)),
      limits_(limits) {
  if (!logs_dir_.empty()) writer_ = std::thread([this] { write_loop(); });
}

ProtoLog::~ProtoLog() {
  {
    std::lock_guard lock(write_mu_);
    stop_ = true;
  }
  write_cv_.notify_all();
  if (writer_.joinable()) writer_.join();  // the writer empties the queue before it stops
}

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
  // Formatted before any lock: the file line does not carry the seq.
  std::string persisted;
  if (!logs_dir_.empty())
    for (const Entry& e : fresh) persisted += format_line(e) + "\n";

  std::lock_guard lock(mu_);
  for (Entry& e : fresh) {
    e.seq = next_seq_++;
    by_account_[e.account].push_back(e.seq);
    ring_.push_back(std::move(e));
    if (ring_.size() > capacity_) {
      // The oldest entry is the oldest of its account too.
      auto it = by_account_.find(ring_.front().account);
      it->second.pop_front();
      if (it->second.empty()) by_account_.erase(it);
      ring_.pop_front();
    }
  }
  if (!persisted.empty()) {
    // Queued under mu_ so the file gets the lines in seq order; the writer takes write_mu_ only to
    // swap the queue out, so this wait is never one on the disk.
    {
      std::lock_guard wlock(write_mu_);
      queue_.push_back({std::string(account), std::move(persisted)});
      ++queued_;
    }
    write_cv_.notify_one();
  }
}

void ProtoLog::flush() {
  std::unique_lock lock(write_mu_);
  if (!writer_.joinable()) return;
  const uint64_t ticket = queued_;
  done_cv_.wait(lock, [&] { return written_ >= ticket; });
}

void ProtoLog::write_loop() {
  std::unique_lock lock(write_mu_);
  for (;;) {
    write_cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything is written
    std::vector<Pending> batch;
    batch.swap(queue_);
    const uint64_t upto = queued_;
    lock.unlock();
    // One open per account and batch: a busy sync's hundred appends cost one write.
    std::vector<Pending> by_account;
    for (Pending& p : batch) {
      auto it =
          std::find_if(by_account.begin(), by_account.end(), [&](const Pending& q) { return q.account == p.account; });
      if (it == by_account.end())
        by_account.push_back(std::move(p));
      else
        it->lines += p.lines;
    }
    for (const Pending& p : by_account) write_batch(p.account, p.lines);
    lock.lock();
    written_ = upto;
    done_cv_.notify_all();
  }
}

void ProtoLog::write_batch(const std::string& account, const std::string& lines) {
  const std::filesystem::path path = file_for(account);
  std::error_code ec;
  uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) size = 0;  // no file yet
  const uint64_t cap = limits_.max_file_bytes;
  std::string_view rest = lines;
  while (!rest.empty()) {
    size_t take = rest.size();
    if (cap > 0 && size + rest.size() > cap) {
      // As many whole lines as still fit; none: rotate first. A line longer than the cap gets a file
      // of its own rather than being cut.
      const uint64_t room = cap > size ? cap - size : 0;
      size_t end = room == 0 ? std::string_view::npos : rest.rfind('\n', room - 1);
      if (end == std::string_view::npos) {
        if (size > 0) {
          rotate_log_file(path, limits_.generations);
          size = 0;
          continue;
        }
        end = rest.find('\n');
      }
      take = end + 1;
    }
    // Append-only and opened per batch, so that deletion by the user is harmless. A log that cannot
    // be written must not stop the work it describes, so errors are ignored here.
    if (std::FILE* f = std::fopen(path.string().c_str(), "ab")) {
      std::fwrite(rest.data(), 1, take, f);
      std::fclose(f);
    }
    size += take;
    rest.remove_prefix(take);
  }
}

std::vector<Entry> ProtoLog::since(uint64_t after_seq, const std::optional<std::string>& account, size_t limit) const {
  std::lock_guard lock(mu_);
  std::vector<Entry> out;
  if (ring_.empty()) return out;
  const uint64_t front = ring_.front().seq;
  if (!account) {
    // seq grows along the ring without gaps.
    const uint64_t first = std::max(after_seq + 1, front);
    for (uint64_t seq = first; seq < next_seq_ && out.size() < limit; ++seq) out.push_back(ring_[seq - front]);
    return out;
  }
  auto it = by_account_.find(*account);
  if (it == by_account_.end()) return out;
  const std::deque<uint64_t>& seqs = it->second;
  for (auto s = std::upper_bound(seqs.begin(), seqs.end(), after_seq); s != seqs.end() && out.size() < limit; ++s)
    out.push_back(ring_[*s - front]);
  return out;
}

std::vector<Entry> ProtoLog::tail(std::string_view account, size_t n) const {
  std::lock_guard lock(mu_);
  std::vector<Entry> out;
  auto it = by_account_.find(account);
  if (it == by_account_.end() || ring_.empty()) return out;
  const std::deque<uint64_t>& seqs = it->second;
  const uint64_t front = ring_.front().seq;
  for (auto s = seqs.end() - static_cast<std::ptrdiff_t>(std::min(n, seqs.size())); s != seqs.end(); ++s)
    out.push_back(ring_[*s - front]);
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

size_t ProtoLog::count(std::string_view account) const {
  std::lock_guard lock(mu_);
  auto it = by_account_.find(account);
  return it == by_account_.end() ? 0 : it->second.size();
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
  // The current file first, then the generations before it while lines are still wanted. Each file
  // is at most the rotation cap, so reading one whole is bounded.
  std::deque<Entry> kept;  // oldest first
  bool any = false;
  for (int generation = 0; generation <= kMaxLogGenerations; ++generation) {
    std::ifstream in(generation == 0 ? file : rotated_log_path(file, generation), std::ios::binary);
    if (!in) {
      if (generation == 0) continue;  // rotated a moment ago: the older ones may still be there
      break;
    }
    any = true;
    const size_t wanted = n == 0 ? 0 : n - kept.size();
    std::deque<Entry> these;
    std::string line;
    while (std::getline(in, line)) {
      auto e = parse_line(line);
      if (!e) continue;  // a torn last line after a crash is skipped, not fatal
      these.push_back(std::move(*e));
      if (wanted > 0 && these.size() > wanted) these.pop_front();
    }
    kept.insert(kept.begin(), std::make_move_iterator(these.begin()), std::make_move_iterator(these.end()));
    if (n > 0 && kept.size() >= n) break;
  }
  if (!any) return fail("log.missing", "No protocol log yet at " + file.string());
  return std::vector<Entry>(kept.begin(), kept.end());
}

}  // namespace md::protolog
