#include "sync/message_store.h"

#include <span>

#include "admin/audit.h"
#include "sync/envelope.h"
#include "util/time.h"

namespace md::sync {
namespace {

const char* protocol_name(accounts::Protocol p) {
  return accounts::to_string(p);
}

std::span<const uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

constexpr std::string_view kMessageColumns =
    "account, protocol, mailbox, uidvalidity, uid, uidl, size, flags, from_addr, subject, date, message_id, "
    "downloaded_at, raw";
constexpr std::string_view kReplaceColumns =
    "size = excluded.size, flags = excluded.flags, from_addr = excluded.from_addr, subject = excluded.subject, "
    "date = excluded.date, message_id = excluded.message_id, downloaded_at = excluded.downloaded_at, "
    "raw = excluded.raw";

std::string upsert_sql(std::string_view conflict_target) {
  return "INSERT INTO messages(" + std::string(kMessageColumns) +
         ") VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT" + std::string(conflict_target) +
         " DO UPDATE SET " + std::string(kReplaceColumns);
}

// The SQL of the functions below, straight-line: these throw store::Error, and the header's
// functions turn it into a Failure with store::guarded.
std::optional<MailboxState> read_state(store::Database& db, std::string_view account, accounts::Protocol protocol,
                                       std::string_view mailbox) {
  auto st = db.prepare(
      "SELECT uidvalidity, last_uid, last_sync_at, last_sync_result, last_sync_detail FROM mailbox_state "
      "WHERE account = ? AND protocol = ? AND mailbox = ?");
  st.bind(1, account).bind(2, protocol_name(protocol)).bind(3, mailbox);
  if (!st.step()) return std::nullopt;
  MailboxState s;
  s.protocol = protocol;
  s.mailbox = std::string(mailbox);
  if (!st.is_null(0)) s.uidvalidity = static_cast<uint32_t>(st.column_int(0));
  s.last_uid = static_cast<uint32_t>(st.column_int(1));
  s.last_sync_at = st.column_optional_text(2);
  s.last_sync_result = st.column_optional_text(3);
  s.last_sync_detail = st.column_optional_text(4);
  return s;
}

int64_t count_under_uidvalidity(store::Database& db, std::string_view account, std::string_view mailbox,
                                uint32_t uidvalidity) {
  auto st = db.prepare(
      "SELECT count(*) FROM messages WHERE account = ? AND protocol = 'imap' AND mailbox = ? AND uidvalidity = ?");
  st.bind(1, account).bind(2, mailbox).bind(3, static_cast<int64_t>(uidvalidity));
  return st.step() ? st.column_int(0) : 0;
}

CounterReset read_reset_preview(store::Database& db, std::string_view account, accounts::Protocol protocol) {
  CounterReset r;
  r.protocol = protocol;
  if (protocol == accounts::Protocol::pop3) {
    auto st = db.prepare("SELECT count(*) FROM pop3_seen WHERE account = ?");
    st.bind(1, account);
    if (st.step()) r.old_uidl_count = st.column_int(0);
    r.will_download = r.old_uidl_count;
    return r;
  }
  if (auto s = read_state(db, account, protocol, kInbox)) {
    r.old_uidvalidity = s->uidvalidity;
    r.old_last_uid = s->last_uid;
    if (s->uidvalidity) r.will_download = count_under_uidvalidity(db, account, kInbox, *s->uidvalidity);
  }
  return r;
}

}  // namespace

Result<std::optional<MailboxState>> load_state(store::Database& db, std::string_view account,
                                               accounts::Protocol protocol, std::string_view mailbox) {
  return store::guarded([&] { return read_state(db, account, protocol, mailbox); });
}

Result<void> record_sync_result(store::Database& db, std::string_view account, accounts::Protocol protocol,
                                std::string_view mailbox, std::string_view result, std::string_view detail,
                                std::chrono::system_clock::time_point at) {
  return store::guarded([&] {
    db.prepare(
          "INSERT INTO mailbox_state(account, protocol, mailbox, last_sync_at, last_sync_result, last_sync_detail) "
          "VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(account, protocol, mailbox) DO UPDATE SET "
          "last_sync_at = excluded.last_sync_at, last_sync_result = excluded.last_sync_result, "
          "last_sync_detail = excluded.last_sync_detail")
        .bind(1, account)
        .bind(2, protocol_name(protocol))
        .bind(3, mailbox)
        .bind(4, util::format_iso8601(at))
        .bind(5, result)
        .bind(6, detail)
        .run();
  });
}

MessageWriter::MessageWriter(store::Database& db, std::string account)
    : account_(std::move(account)),
      upsert_uid_(db.prepare(upsert_sql("(account, mailbox, uidvalidity, uid) WHERE uid IS NOT NULL"))),
      upsert_uidl_(db.prepare(upsert_sql("(account, mailbox, uidl) WHERE uidl IS NOT NULL"))),
      counter_(db.prepare(
          "INSERT INTO mailbox_state(account, protocol, mailbox, uidvalidity, last_uid) VALUES(?, 'imap', ?, ?, ?) "
          "ON CONFLICT(account, protocol, mailbox) DO UPDATE SET uidvalidity = excluded.uidvalidity, "
          "last_uid = excluded.last_uid")),
      seen_(db.prepare("INSERT OR IGNORE INTO pop3_seen(account, uidl) VALUES(?, ?)")) {}

void MessageWriter::put(const NewMessage& m, std::chrono::system_clock::time_point now) {
  Envelope env = parse_envelope(m.raw);
  store::Statement& st = m.uid ? upsert_uid_ : upsert_uidl_;
  st.bind(1, account_).bind(2, protocol_name(m.protocol)).bind(3, m.mailbox);
  if (m.uidvalidity)
    st.bind(4, static_cast<int64_t>(*m.uidvalidity));
  else
    st.bind_null(4);
  if (m.uid)
    st.bind(5, static_cast<int64_t>(*m.uid));
  else
    st.bind_null(5);
  st.bind(6, m.uidl)
      .bind(7, static_cast<int64_t>(m.raw.size()))
      .bind(8, m.flags)
      .bind(9, env.from)
      .bind(10, env.subject)
      .bind(11, env.date)
      .bind(12, env.message_id)
      .bind(13, util::format_iso8601_ms(now))
      .bind_blob(14, bytes_of(m.raw));
  st.run();
}

void MessageWriter::set_imap_counter(std::string_view mailbox, uint32_t uidvalidity, uint32_t last_uid) {
  counter_.bind(1, account_)
      .bind(2, mailbox)
      .bind(3, static_cast<int64_t>(uidvalidity))
      .bind(4, static_cast<int64_t>(last_uid));
  counter_.run();
}

void MessageWriter::mark_pop3_seen(std::string_view uidl) {
  seen_.bind(1, account_).bind(2, uidl);
  seen_.run();
}

Result<std::unordered_set<std::string>> pop3_seen(store::Database& db, std::string_view account) {
  return store::guarded([&] {
    std::unordered_set<std::string> out;
    auto st = db.prepare("SELECT uidl FROM pop3_seen WHERE account = ?");
    st.bind(1, account);
    while (st.step()) out.insert(st.column_text(0));
    return out;
  });
}

Result<StoredCounts> stored_counts(store::Database& db, std::string_view account,
                                   std::optional<accounts::Protocol> protocol) {
  return store::guarded([&] {
    auto st = db.prepare(
        "SELECT count(*), coalesce(sum(size), 0) FROM messages WHERE account = ? AND (?2 IS NULL OR protocol = ?2)");
    st.bind(1, account);
    if (protocol)
      st.bind(2, protocol_name(*protocol));
    else
      st.bind_null(2);
    StoredCounts c;
    if (st.step()) {
      c.messages = st.column_int(0);
      c.bytes = st.column_int(1);
    }
    return c;
  });
}

Result<int64_t> stored_under_uidvalidity(store::Database& db, std::string_view account, std::string_view mailbox,
                                         uint32_t uidvalidity) {
  return store::guarded([&] { return count_under_uidvalidity(db, account, mailbox, uidvalidity); });
}

Result<void> for_each_message(store::Database& db, std::string_view account,
                              const std::function<Result<void>(const StoredMessage&)>& visit) {
  return store::guarded([&]() -> Result<void> {
    auto st = db.prepare(
        "SELECT id, protocol, mailbox, uidvalidity, uid, uidl, flags, downloaded_at, raw FROM messages "
        "WHERE account = ? ORDER BY id");
    st.bind(1, account);
    while (st.step()) {
      StoredMessage m;
      m.id = st.column_int(0);
      m.protocol = st.column_text(1) == "pop3" ? accounts::Protocol::pop3 : accounts::Protocol::imap;
      m.mailbox = st.column_text(2);
      if (!st.is_null(3)) m.uidvalidity = static_cast<uint32_t>(st.column_int(3));
      if (!st.is_null(4)) m.uid = static_cast<uint32_t>(st.column_int(4));
      m.uidl = st.column_optional_text(5);
      m.flags = st.column_text(6);
      m.downloaded_at = st.column_text(7);
      std::vector<uint8_t> raw = st.column_blob(8);
      m.raw = std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size());
      if (auto r = visit(m); !r) return r;
    }
    return {};
  });
}

Result<CounterReset> preview_reset(store::Database& db, std::string_view account, accounts::Protocol protocol) {
  return store::guarded([&] { return read_reset_preview(db, account, protocol); });
}

Result<CounterReset> reset_counter(store::Database& db, std::string_view account, accounts::Protocol protocol,
                                   const admin::AdminSession& by, std::chrono::system_clock::time_point now,
                                   admin::Confirmation how) {
  return store::guarded([&] {
    store::Transaction txn(db);
    CounterReset r = read_reset_preview(db, account, protocol);
    nlohmann::json detail = {
        {"protocol", protocol_name(protocol)}, {"mailbox", kInbox}, {"confirmed_with", to_string(how)}};
    if (how == admin::Confirmation::recent_sign_in) detail["signed_in_at"] = util::format_iso8601(by.verified_at);
    if (protocol == accounts::Protocol::pop3) {
      db.prepare("DELETE FROM pop3_seen WHERE account = ?").bind(1, account).run();
      detail["uidl_count"] = r.old_uidl_count;
    } else {
      db.prepare("UPDATE mailbox_state SET last_uid = 0 WHERE account = ? AND protocol = 'imap' AND mailbox = ?")
          .bind(1, account)
          .bind(2, kInbox)
          .run();
      detail["old_uidvalidity"] = r.old_uidvalidity ? nlohmann::json(*r.old_uidvalidity) : nlohmann::json(nullptr);
      detail["old_last_uid"] = r.old_last_uid;
    }
    admin::write_audit(db, by.user, kActionResetCounter, account, detail, now);
    txn.commit();
    return r;
  });
}

Result<std::optional<LastReset>> last_reset(store::Database& db, std::string_view account) {
  return store::guarded([&]() -> std::optional<LastReset> {
    auto st = db.prepare(
        "SELECT coalesce(admin, ''), at, "
        "coalesce(CASE WHEN json_valid(detail) THEN json_extract(detail, '$.confirmed_with') END, '') FROM audit "
        "WHERE action = ? AND account = ? ORDER BY id DESC LIMIT 1");
    st.bind(1, kActionResetCounter).bind(2, account);
    if (!st.step()) return std::nullopt;
    return LastReset{st.column_text(0), st.column_text(1), st.column_text(2)};
  });
}

Result<int64_t> counter_resets(store::Database& db, std::string_view account) {
  return store::guarded([&]() -> int64_t {
    auto st = db.prepare("SELECT count(*) FROM audit WHERE action = ? AND account = ?");
    st.bind(1, kActionResetCounter).bind(2, account);
    return st.step() ? st.column_int(0) : 0;
  });
}

}  // namespace md::sync
