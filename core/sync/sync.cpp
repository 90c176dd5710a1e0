#include "sync/sync.h"

#include <algorithm>
#include <charconv>
#include <unordered_map>

#include "diagnostics/matchers.h"
#include "mail/imap_client.h"
#include "mail/pop3_client.h"
#include "sync/mail_session.h"
#include "util/text.h"

namespace md::sync {
namespace {

using Clock = std::chrono::steady_clock;
using accounts::Protocol;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A failure that happened after `done` messages were stored says so: they are safe.
Failure with_progress(Failure f, const Progress& p) {
  if (p.done > 0)
    f.detail += " (" + std::to_string(p.done) + " of " + std::to_string(p.total) +
                " new messages were downloaded and stored before this; the next sync continues from there)";
  return f;
}

// One run's writes, in batches. A batch's messages wait in memory and go into the database in one
// short transaction, with the counter `seal` writes that covers them (IMAP; POP3's counter is
// written with each message). No transaction stays open while the server is read: a server that
// stalls mid-download must not hold the data dir's write lock, or every other MailDoctor (the
// window's Save, an admin's sign-in, another account's sync) gets store.locked until it times out.
// Progress and cancellation are reported after every message.
class Download {
 public:
  Download(store::Database& db, const std::string& account, const SyncOptions& options, Progress& progress,
           Clock::time_point started)
      : db_(db), writer_(db, account), options_(options), progress_(progress), started_(started) {}
  void set_seal(std::function<void(MessageWriter&)> seal) { seal_ = std::move(seal); }

  // `write` adds one message's rows when its batch is committed, so it owns what it writes.
  // store.* failures and sync.cancelled stop the download.
  Result<void> store(uint64_t bytes, std::function<void(MessageWriter&)> write) {
    pending_.push_back(std::move(write));
    ++progress_.done;
    progress_.bytes += bytes;
    batch_bytes_ += bytes;
    if (pending_.size() >= options_.batch_messages || batch_bytes_ >= options_.batch_bytes) {
      try {
        commit();
      } catch (const store::Error& e) {
        return store::to_failure(e);
      }
    }
    progress_.seconds = seconds_since(started_);
    if (options_.on_progress) options_.on_progress(progress_);
    if (options_.cancelled && options_.cancelled()) return fail("sync.cancelled", "the sync was cancelled");
    return {};
  }
  // Writes and commits the waiting batch (or, with `always`, the counter alone). Throws store::Error,
  // and then nothing of the batch is stored.
  void commit(bool always = false) {
    if (pending_.empty() && !always) return;
    store::Transaction txn(db_);
    for (const auto& write : pending_) write(writer_);
    if (seal_) seal_(writer_);
    txn.commit();
    pending_.clear();
    batch_bytes_ = 0;
  }

 private:
  store::Database& db_;
  MessageWriter writer_;
  const SyncOptions& options_;
  Progress& progress_;
  Clock::time_point started_;
  std::function<void(MessageWriter&)> seal_;
  std::vector<std::function<void(MessageWriter&)>> pending_;
  uint64_t batch_bytes_ = 0;
};

std::vector<uint32_t> parse_search(std::string_view line) {
  std::vector<uint32_t> out;
  // "* SEARCH 1 2 3" (possibly "* SEARCH" alone)
  size_t pos = line.find("SEARCH");
  if (pos == std::string_view::npos) return out;
  std::string_view rest = line.substr(pos + 6);
  while (!rest.empty()) {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    uint32_t v = 0;
    auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), v);
    if (ec != std::errc()) break;
    out.push_back(v);
    rest.remove_prefix(static_cast<size_t>(p - rest.data()));
  }
  return out;
}

std::string join_flags(const std::optional<std::vector<std::string>>& flags) {
  return flags ? util::join(*flags) : std::string();
}

// Why the UIDs a SEARCH listed above `start` cannot be the whole story, by the server's own numbers
// (EXISTS, UIDNEXT); nullopt when they agree. From 0 every message must be listed; above a counter
// the exact count is unknown, but none listed while UIDNEXT says UIDs were given out above it is
// worth a second look.
std::optional<std::string> search_disagrees(const std::vector<uint32_t>& uids, uint32_t start,
                                            const mail::Mailbox& box) {
  if (box.exists == 0) return std::nullopt;
  if (start == 0 && uids.size() < box.exists)
    return "EXAMINE counted " + std::to_string(box.exists) + " message(s) in INBOX";
  if (uids.empty() && box.uidnext && *box.uidnext > uint64_t{start} + 1)
    return "UIDNEXT is " + std::to_string(*box.uidnext) + " with " + std::to_string(box.exists) +
           " message(s) in INBOX";
  return std::nullopt;
}

// Every UID above `start`, from "UID FETCH start+1:* (UID)": no bodies, a few bytes a message.
Result<std::vector<uint32_t>> list_uids_by_fetch(mail::ImapClient& imap, uint32_t start) {
  std::vector<uint32_t> uids;
  auto listed = imap.uid_fetch(std::to_string(uint64_t{start} + 1) + ":*", "(UID)",
                               [&](mail::imap::FetchedMessage& m) -> Result<void> {
                                 if (m.uid && *m.uid > start) uids.push_back(*m.uid);
                                 return {};
                               });
  if (!listed) return listed.failure();
  if (!listed.value().response.ok())
    return fail("protocol.bad_response", "UID FETCH (UID) refused: " + mail::printable(listed.value().response.line));
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  return uids;
}

Result<SyncSummary> sync_imap(store::Database& db, const accounts::Account& account, const std::string& secret,
                              const SyncOptions& options, Progress& progress, Clock::time_point started) {
  SyncSummary summary;
  summary.protocol = Protocol::imap;
  auto client = open_imap(account, secret, SessionOptions{options.transcript});
  if (!client) return client.failure();
  mail::ImapClient& imap = client.value();
  auto note = [&](const std::string& text) { imap.connection().note(text); };

  // EXAMINE: read-only, so the sync never changes the mailbox (BODY.PEEK keeps \Seen as it is, too).
  auto mailbox = imap.examine(kInbox);
  if (!mailbox) return mailbox.failure();
  if (!mailbox.value().uidvalidity)
    return fail("protocol.bad_response",
                "the server sent no UIDVALIDITY for INBOX: " + mail::printable(mailbox.value().response.line));
  const uint32_t uidvalidity = *mailbox.value().uidvalidity;
  summary.uidvalidity = uidvalidity;
  summary.server_messages = mailbox.value().exists;

  auto stored_state = load_state(db, account.name, Protocol::imap);
  if (!stored_state) return stored_state.failure();
  const std::optional<MailboxState>& state = stored_state.value();
  uint32_t start = state ? state->last_uid : 0;
  if (state && state->uidvalidity && *state->uidvalidity != uidvalidity) {
    summary.previous_uidvalidity = state->uidvalidity;
    start = 0;
    note("UIDVALIDITY changed from " + std::to_string(*state->uidvalidity) + " to " + std::to_string(uidvalidity) +
         ": the stored UIDs mean nothing now; downloading the whole mailbox again (messages stored before are kept)");
  }

  std::vector<uint32_t> uids;
  if (summary.server_messages > 0) {
    auto search =
        imap.command("UID SEARCH UID " + std::to_string(uint64_t{start} + 1) + ":*", [&](std::string_view line) {
          if (line.starts_with("* SEARCH")) {
            auto found = parse_search(line);
            uids.insert(uids.end(), found.begin(), found.end());
          }
        });
    if (!search) return search.failure();
    if (!search.value().ok()) {
      auto code = diagnostics::match_failure(diagnostics::server_evidence(
          account, diagnostics::MailProtocol::imap, diagnostics::MailStage::mailbox, search.value().line));
      return fail(code.value_or("protocol.bad_response"),
                  "UID SEARCH refused: " + mail::printable(search.value().line));
    }
    // "n:*" always includes the highest UID, even when it is below n (RFC 3501 6.4.8).
    std::erase_if(uids, [&](uint32_t u) { return u <= start; });
    std::sort(uids.begin(), uids.end());
    uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
    // Never trust one answer over the server's own numbers: a real server answered this SEARCH with
    // nothing while EXAMINE counted hundreds of messages and UIDNEXT stood far above the counter.
    if (auto disagreement = search_disagrees(uids, start, mailbox.value())) {
      note("UID SEARCH listed " + std::to_string(uids.size()) + " message(s) above UID " + std::to_string(start) +
           ", but " + *disagreement + ": listing them with UID FETCH (UID) instead, as mbsync and Thunderbird do");
      auto listed = list_uids_by_fetch(imap, start);
      if (!listed) return listed.failure();
      uids = std::move(listed).value();
      // FETCH's listing is the server's own word on which messages exist. Nothing at all from both,
      // for a mailbox EXAMINE says is not empty, is the silent zero: never reported as ok.
      if (uids.empty() && start == 0)
        return fail("imap.listing_inconsistent",
                    "INBOX has " + std::to_string(summary.server_messages) +
                        " message(s) by EXAMINE, but UID SEARCH and UID FETCH both list none; nothing was "
                        "downloaded rather than reporting an empty mailbox as complete");
    }
  }
  progress.total = uids.size();
  if (options.on_progress) options.on_progress(progress);

  std::vector<char> received(uids.size(), 0);
  size_t covered = 0;  // uids[0..covered) are all stored
  uint32_t max_stored = start;
  bool fetch_complete = false;
  // The counter may only cover what is stored: every listed UID up to it. A UID that was not
  // listed (new mail since the SEARCH) is above all listed ones and counts once the FETCH is done.
  auto counter = [&]() -> uint32_t {
    while (covered < uids.size() && received[covered]) ++covered;
    if (fetch_complete) return std::max(max_stored, uids.empty() ? start : uids.back());
    return covered == 0 ? start : uids[covered - 1];
  };
  Download download(db, account.name, options, progress, started);
  download.set_seal([&](MessageWriter& w) { w.set_imap_counter(kInbox, uidvalidity, counter()); });

  Result<mail::FetchSummary> fetched = mail::FetchSummary{};
  if (!uids.empty()) {
    fetched =
        imap.uid_fetch(std::to_string(uint64_t{start} + 1) + ":*", "(UID RFC822.SIZE FLAGS BODY.PEEK[])",
                       [&](mail::imap::FetchedMessage& m) -> Result<void> {
                         const std::string* body = m.body();
                         if (!m.uid || body == nullptr || *m.uid <= start)
                           return {};  // a flag update, or the "n:*" extra
                         return download.store(body->size(), [&, uid = *m.uid, flags = join_flags(m.flags), raw = *body,
                                                              at = options.now()](MessageWriter& w) {
                           w.put(NewMessage{Protocol::imap, kInbox, uidvalidity, uid, std::nullopt, flags, raw}, at);
                           auto it = std::lower_bound(uids.begin(), uids.end(), uid);
                           if (it != uids.end() && *it == uid) received[static_cast<size_t>(it - uids.begin())] = 1;
                           max_stored = std::max(max_stored, uid);
                         });
                       });
  }
  // Whatever happened, what is stored stays stored, with the counter covering exactly that; a new
  // mailbox or a new UIDVALIDITY is recorded even when nothing was downloaded.
  fetch_complete = fetched && (uids.empty() || fetched.value().response.ok());
  download.commit(fetch_complete || summary.previous_uidvalidity || !state || !state->uidvalidity);
  if (!fetched) return with_progress(fetched.failure(), progress);
  if (!fetch_complete) {
    const std::string& line = fetched.value().response.line;
    auto code = diagnostics::match_failure(
        diagnostics::server_evidence(account, diagnostics::MailProtocol::imap, diagnostics::MailStage::mailbox, line));
    return with_progress(
        fail(code.value_or("protocol.bad_response"), "the server answered UID FETCH with: " + mail::printable(line)),
        progress);
  }
  (void)imap.logout();
  summary.last_uid = counter();
  return summary;
}

Result<SyncSummary> sync_pop3(store::Database& db, const accounts::Account& account, const std::string& secret,
                              const SyncOptions& options, Progress& progress, Clock::time_point started) {
  SyncSummary summary;
  summary.protocol = Protocol::pop3;
  auto client = open_pop3(account, secret, SessionOptions{options.transcript});
  if (!client) return client.failure();
  mail::Pop3Client& pop = client.value();
  auto caps = pop.capa();  // after sign-in: PIPELINING may only be listed now
  if (!caps) return caps.failure();
  auto list = pop.uidl();
  if (!list) return list.failure();
  summary.server_messages = list.value().size();

  auto seen_before = pop3_seen(db, account.name);
  if (!seen_before) return seen_before.failure();
  std::unordered_set<std::string>& seen = seen_before.value();
  std::vector<uint32_t> numbers;
  std::unordered_map<uint32_t, std::string> uidl_of;
  for (const mail::Pop3Uid& u : list.value()) {
    if (seen.contains(u.uid) || !seen.insert(u.uid).second) continue;  // downloaded, or listed twice
    numbers.push_back(u.number);
    uidl_of[u.number] = u.uid;
  }
  progress.total = numbers.size();
  if (options.on_progress) options.on_progress(progress);

  Download download(db, account.name, options, progress, started);
  const size_t window = caps.value().has("PIPELINING") ? options.pop3_window : 1;
  auto fetched = pop.retr_many(numbers, window, [&](uint32_t number, std::string& message) -> Result<void> {
    return download.store(message.size(),
                          [uidl = uidl_of[number], raw = message, at = options.now()](MessageWriter& w) {
                            w.put(NewMessage{Protocol::pop3, kInbox, std::nullopt, std::nullopt, uidl, "", raw}, at);
                            w.mark_pop3_seen(uidl);
                          });
  });
  download.commit();
  if (!fetched) return with_progress(fetched.failure(), progress);
  (void)pop.quit();
  return summary;
}

}  // namespace

Result<Protocol> sync_protocol(const accounts::Account& account, std::optional<Protocol> wanted) {
  if (wanted) {
    if (*wanted == Protocol::smtp) return fail("usage", "SMTP only sends mail; sync with IMAP or POP3");
    if (!account.endpoint(*wanted).enabled)
      return fail("usage", "account '" + account.name + "' has no " + accounts::to_string(*wanted) +
                               " server set up (account add --" + accounts::to_string(*wanted) + " HOST:PORT)");
    return *wanted;
  }
  if (account.imap.enabled) return Protocol::imap;
  if (account.pop3.enabled) return Protocol::pop3;
  return fail("sync.no_mailbox", "account '" + account.name + "' has neither an IMAP nor a POP3 server set up");
}

Result<SyncSummary> run_sync(store::Database& db, const accounts::Account& account, const std::string& secret,
                             const SyncOptions& options) {
  auto protocol = sync_protocol(account, options.protocol);
  if (!protocol) return protocol.failure();
  const auto started = Clock::now();
  Progress progress;
  Result<SyncSummary> result = fail("sync.cancelled", "the sync did not start");
  try {
    result = protocol.value() == Protocol::imap ? sync_imap(db, account, secret, options, progress, started)
                                                : sync_pop3(db, account, secret, options, progress, started);
  } catch (const store::Error& e) {
    result = with_progress(store::to_failure(e), progress);
  }
  if (result) {
    SyncSummary& s = result.value();
    s.downloaded = progress.done;
    s.bytes = progress.bytes;
    s.seconds = seconds_since(started);
    if (s.protocol == Protocol::pop3) s.last_uid = 0;
    auto stored = stored_counts(db, account.name, protocol.value());
    auto recorded = stored.and_then([&](const StoredCounts& counts) {
      s.stored_messages = counts.messages;
      return record_sync_result(
          db, account.name, protocol.value(), kInbox, "ok",
          "downloaded " + std::to_string(s.downloaded) + " message(s), " + std::to_string(s.bytes) + " bytes" +
              (s.previous_uidvalidity ? "; UIDVALIDITY changed from " + std::to_string(*s.previous_uidvalidity) +
                                            " to " + std::to_string(s.uidvalidity.value_or(0))
                                      : std::string()),
          options.now());
    });
    if (!recorded) return recorded.failure();  // the sync worked but its report could not be kept
  } else {
    const Failure& f = result.failure();
    // The sync's own failure is the answer; a report that cannot be kept as well changes nothing.
    (void)record_sync_result(db, account.name, protocol.value(), kInbox,
                             f.code == "sync.cancelled" ? "cancelled" : f.code, f.detail, options.now());
  }
  return result;
}

}  // namespace md::sync
