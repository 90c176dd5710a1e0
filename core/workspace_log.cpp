// The workspace's protocol log views: the log panel's buffer of the selected account (a long log
// is built on a quick worker and swapped in whole) and the live strip's newest lines of its subject.
#include "util/time.h"
#include "workspace.h"
#include "workspace_detail.h"

namespace md {
namespace {

// A selected account with more lines than this has its log panel's buffer built on a worker.
constexpr size_t kLogReadInlineLines = 2'000;
constexpr size_t kLogReadBatchLines = 4'096;
// The panel's copy of one account's log keeps at most this many lines; beyond it the oldest half
// goes, so appending stays cheap.
constexpr size_t kLogBufferMaxLines = 200'000;

}  // namespace

const char* to_string(LogProtocol p) {
  switch (p) {
    case LogProtocol::imap: return "IMAP";
    case LogProtocol::pop3: return "POP3";
    case LogProtocol::smtp: return "SMTP";
    case LogProtocol::http: return "HTTP";
    case LogProtocol::app: return "App";
    case LogProtocol::other: return "Other";
  }
  return "Other";
}

LogProtocol parse_log_protocol(std::string_view p) {
  if (p == "imap") return LogProtocol::imap;
  if (p == "pop3") return LogProtocol::pop3;
  if (p == "smtp") return LogProtocol::smtp;
  if (p == "http") return LogProtocol::http;
  if (p == "app") return LogProtocol::app;
  return LogProtocol::other;
}

void LogBuffer::clear() {
  text.clear();
  lines.clear();
  ++generation;
}

void LogBuffer::append(const protolog::Entry& e) {
  if (lines.size() >= kLogBufferMaxLines) {
    // Drop the oldest half in one go: amortised O(1) per line, and the offsets stay 32-bit.
    const size_t keep_from = lines.size() / 2;
    const uint32_t cut = lines[keep_from].begin;
    text.erase(0, cut);
    lines.erase(lines.begin(), lines.begin() + static_cast<std::ptrdiff_t>(keep_from));
    for (LogLine& l : lines) {
      l.begin -= cut;
      l.end -= cut;
    }
    ++generation;
  }
  LogLine line;
  line.begin = static_cast<uint32_t>(text.size());
  // "10:00:00.123 imap C: A1 NOOP": the date is the same all day, the time says when.
  const std::string stamp = util::format_iso8601_ms(e.at);
  text += stamp.size() > 11 ? std::string_view(stamp).substr(11, 12) : std::string_view(stamp);
  text += ' ';
  text += e.protocol.empty() ? "-" : e.protocol;
  text += e.direction == protolog::Direction::client   ? " C: "
          : e.direction == protolog::Direction::server ? " S: "
                                                       : " *: ";
  text += e.text;
  line.end = static_cast<uint32_t>(text.size());
  line.protocol = parse_log_protocol(e.protocol);
  line.direction = e.direction;
  lines.push_back(line);
  last_seq = e.seq;
}

void Workspace::read_log(const std::string& name) {
  log_buffer_.clear();
  log_buffer_.account = name;
  log_buffer_.last_seq = 0;
  const uint64_t serial = ++log_read_serial_;
  log_buffer_.reading = false;
  // A short log is read here, as lines arriving are; a long one is built on a worker and swapped in
  // whole, so selecting an account with 100k lines costs the UI thread a move, not the copy.
  if (name.empty() || log_->count(name) <= kLogReadInlineLines) return;
  log_buffer_.reading = true;
  jobs_->submit("Read the protocol log of " + name,
                [this, name, serial](jobs::JobContext&) -> jobs::Completion {
                  auto built = std::make_shared<LogBuffer>();
                  built->account = name;
                  const uint64_t before = log_->last_seq();
                  // In batches, so the log's lock (which frame() takes too) is never held for the whole copy.
                  for (;;) {
                    const auto batch = log_->since(built->last_seq, name, kLogReadBatchLines);
                    for (const protolog::Entry& e : batch) built->append(e);
                    if (batch.size() < kLogReadBatchLines) break;
                  }
                  // Every line of the account up to `before` is in: pull_log() goes on from there.
                  built->last_seq = std::max(built->last_seq, before);
                  return [this, serial, built] {
                    if (serial != log_read_serial_) return;  // another account was selected, or the log cleared
                    const uint64_t generation = log_buffer_.generation;
                    log_buffer_ = std::move(*built);
                    log_buffer_.generation = generation + 1;  // reading is false in the built buffer
                  };
                },
                {jobs::Lane::quick, [this, serial](jobs::JobState, const std::string&) {
                   // Not read again here, on the UI thread: the lines that arrive from now on show, the
                   // older ones stay in the log file.
                   if (serial != log_read_serial_) return;
                   log_buffer_.reading = false;
                   log_buffer_.last_seq = log_->last_seq();
                 }});
}

void Workspace::clear_log() {
  log_buffer_.clear();
  if (log_buffer_.reading) {
    // What is being read is what the user cleared: show only lines that arrive from now on.
    ++log_read_serial_;
    log_buffer_.reading = false;
    log_buffer_.last_seq = log_->last_seq();
  }
}

void Workspace::pull_log() {
  if (log_buffer_.account != view_.selected) read_log(view_.selected);
  if (!view_.live.subject.empty() && view_.log_seq != live_seq_) {
    std::vector<protolog::Entry>& tail = view_.live.lines;
    for (protolog::Entry& e : log_->since(live_seq_, view_.live.subject)) {
      // tail() may already hold a line appended after live_seq_ was read.
      if (tail.empty() || e.seq > tail.back().seq) tail.push_back(std::move(e));
    }
    if (tail.size() > kLiveTailLines) tail.erase(tail.begin(), tail.end() - kLiveTailLines);
    live_seq_ = view_.log_seq;
  }
  if (view_.selected.empty() || log_buffer_.reading || view_.log_seq == log_buffer_.last_seq) return;
  for (const protolog::Entry& e : log_->since(log_buffer_.last_seq, view_.selected)) log_buffer_.append(e);
  // Nothing of this account's since: remember how far we looked, so the ring is not scanned again.
  log_buffer_.last_seq = view_.log_seq;
}

void Workspace::watch_live(const std::string& subject) {
  if (subject == view_.live.subject) return;
  view_.live.subject = subject;
  // Read from the newest end: a subject with 100k lines costs what its last few do.
  live_seq_ = log_->last_seq();
  view_.live.lines = subject.empty() ? std::vector<protolog::Entry>{} : log_->tail(subject, kLiveTailLines);
}

}  // namespace md
