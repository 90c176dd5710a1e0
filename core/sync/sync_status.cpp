#include "sync/sync_status.h"

#include <charconv>

namespace md::sync {

using nlohmann::json;

std::optional<int64_t> last_sync_downloaded(const MailboxState& state) {
  if (state.last_sync_result != "ok" || !state.last_sync_detail) return std::nullopt;
  constexpr std::string_view kPrefix = "downloaded ";  // as run_sync words it
  const std::string& d = *state.last_sync_detail;
  if (!d.starts_with(kPrefix)) return std::nullopt;
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(d.data() + kPrefix.size(), d.data() + d.size(), n);
  if (ec != std::errc() || ptr == d.data() + kPrefix.size()) return std::nullopt;
  return n;
}

Result<SyncStatus> load_sync_status(store::Database& db, std::string_view account,
                                    std::optional<accounts::Protocol> protocol) {
  SyncStatus s;
  s.protocol = protocol;
  if (protocol) {
    auto state = load_state(db, account, *protocol);
    if (!state) return state.failure();
    s.state = state.value();
  }
  auto stored = stored_counts(db, account, protocol);
  if (!stored) return stored.failure();
  s.stored = stored.value();
  auto all = stored_counts(db, account);
  if (!all) return all.failure();
  s.stored_all_protocols = all.value();
  auto reset = last_reset(db, account);
  if (!reset) return reset.failure();
  s.last_reset = reset.value();
  if (protocol == accounts::Protocol::pop3) {
    auto seen = pop3_seen(db, account);
    if (!seen) return seen.failure();
    s.pop3_uidls = seen.value().size();
  }
  return s;
}

json to_json(const SyncStatus& s) {
  auto opt = [](const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); };
  const std::optional<MailboxState>& st = s.state;
  json doc = {{"protocol", s.protocol ? json(accounts::to_string(*s.protocol)) : json(nullptr)},
              {"uidvalidity", st && st->uidvalidity ? json(*st->uidvalidity) : json(nullptr)},
              {"last_uid", st ? st->last_uid : 0},
              {"stored_messages", s.stored.messages},
              {"stored_bytes", s.stored.bytes},
              {"stored_messages_all_protocols", s.stored_all_protocols.messages},
              {"last_sync_at", st ? opt(st->last_sync_at) : json(nullptr)},
              {"last_sync_result", st ? opt(st->last_sync_result) : json(nullptr)},
              {"last_sync_detail", st ? opt(st->last_sync_detail) : json(nullptr)},
              {"last_reset", s.last_reset ? json{{"admin", s.last_reset->admin},
                                                 {"at", s.last_reset->at},
                                                 {"confirmed_with", s.last_reset->confirmed_with.empty()
                                                                        ? json(nullptr)
                                                                        : json(s.last_reset->confirmed_with)}}
                                          : json(nullptr)}};
  if (s.protocol == accounts::Protocol::pop3) doc["pop3_uidls"] = s.pop3_uidls;
  return doc;
}

}  // namespace md::sync
