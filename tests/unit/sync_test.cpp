// The local side of mailbox sync (core/sync): envelope parsing, the counter moving only with its
// messages, re-downloads replacing rows, the admin-gated reset and its audit row, Maildir export.
#include <doctest/doctest.h>

#include "temp_dir.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "admin/audit.h"
#include "store/database.h"
#include "store/schema.h"
#include "sync/envelope.h"
#include "sync/maildir_export.h"
#include "sync/message_store.h"
#include "sync/sync_status.h"
#include "util/time.h"

using md::accounts::Protocol;
using md::store::Database;
using md::sync::MessageWriter;
using md::sync::NewMessage;

namespace fs = std::filesystem;
using namespace std::string_literals;

namespace {

Database db_with_account(const char* name = "alice") {
  auto db = Database::open_in_memory(md::store::schema());
  REQUIRE(db.ok());
  db.value()
      .prepare(
          "INSERT INTO accounts(name, email, provider, auth, settings, created_at, updated_at) "
          "VALUES(?, 'alice@example.test', 'custom', 'password', '{}', 't', 't')")
      .bind(1, name)
      .run();
  return std::move(db).value();
}

std::chrono::system_clock::time_point t0() {
  return *md::util::parse_iso8601("2026-11-29T10:00:00Z");
}

NewMessage imap_message(uint32_t uidvalidity, uint32_t uid, std::string_view raw, std::string flags = "\\Seen") {
  NewMessage m;
  m.protocol = Protocol::imap;
  m.uidvalidity = uidvalidity;
  m.uid = uid;
  m.flags = std::move(flags);
  m.raw = raw;
  return m;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int64_t count(Database& db, const char* sql) {
  auto st = db.prepare(sql);
  REQUIRE(st.step());
  return st.column_int(0);
}

}  // namespace

TEST_CASE("envelope: first From, Subject, Date and Message-ID of the header, unfolded") {
  auto e = md::sync::parse_envelope(
      "Received: from x\r\n\tby y\r\nFrom: Alice <alice@example.test>\r\nSubject: a long\r\n subject line\r\n"
      "Date: Sun, 29 Nov 2026 10:00:00 +0000\r\nMessage-ID: <1@example.test>\r\nSubject: second\r\n\r\n"
      "From: body@example.test\r\n");
  CHECK(e.from == "Alice <alice@example.test>");
  CHECK(e.subject == "a long subject line");
  CHECK(e.date == "Sun, 29 Nov 2026 10:00:00 +0000");
  CHECK(e.message_id == "<1@example.test>");
}

TEST_CASE("envelope: the header ends at the first empty line, LF-only messages too") {
  auto e = md::sync::parse_envelope("X-A: 1\n\nSubject: in the body\n");
  CHECK(e.subject.empty());
  CHECK(md::sync::parse_envelope("Subject: lf only\nFrom: b\n\nbody").from == "b");
  CHECK(md::sync::parse_envelope("").subject.empty());
  CHECK(md::sync::parse_envelope("no colon line\r\n").subject.empty());
}

TEST_CASE("envelope: RFC 2047 words in UTF-8 are decoded, adjacent words joined, others kept") {
  CHECK(md::sync::decode_encoded_words("=?UTF-8?B?R3LDvMOfZQ==?=") == "Grüße");
  CHECK(md::sync::decode_encoded_words("=?utf-8?q?caf=C3=A9_au_lait?=") == "café au lait");
  CHECK(md::sync::decode_encoded_words("=?UTF-8?Q?a?= =?UTF-8?Q?b?=") == "ab");
  CHECK(md::sync::decode_encoded_words("x =?UTF-8?Q?a?= y") == "x a y");
  CHECK(md::sync::decode_encoded_words("=?ISO-8859-1?Q?caf=E9?=") == "=?ISO-8859-1?Q?caf=E9?=");
  CHECK(md::sync::decode_encoded_words("=?UTF-8?B?not base64!?=") == "=?UTF-8?B?not base64!?=");
  CHECK(md::sync::decode_encoded_words("=?broken") == "=?broken");
  CHECK(md::sync::decode_encoded_words("=?UTF-8?B?QQ?=") == "A");  // unpadded base64
}

TEST_CASE("message store: the same UID again replaces the row, another UIDVALIDITY adds one") {
  Database db = db_with_account();
  MessageWriter w(db, "alice");
  w.put(imap_message(7, 1, "Subject: one\r\n\r\nA"), t0());
  w.put(imap_message(7, 1, "Subject: one again\r\n\r\nAB"), t0());
  w.put(imap_message(8, 1, "Subject: renumbered\r\n\r\nC"), t0());
  CHECK(count(db, "SELECT count(*) FROM messages") == 2);
  CHECK(md::sync::stored_counts(db, "alice").value().messages == 2);
  CHECK(md::sync::stored_under_uidvalidity(db, "alice", "INBOX", 7).value() == 1);
  auto st = db.prepare("SELECT subject, size FROM messages WHERE uidvalidity = 7");
  REQUIRE(st.step());
  CHECK(st.column_text(0) == "one again");
  CHECK(st.column_int(1) == 24);
}

TEST_CASE("message store: POP3 rows are unique by UIDL and the UIDL set is the counter") {
  Database db = db_with_account();
  MessageWriter w(db, "alice");
  NewMessage m;
  m.protocol = Protocol::pop3;
  m.uidl = "u1";
  m.raw = "x";
  w.put(m, t0());
  w.put(m, t0());
  w.mark_pop3_seen("u1");
  w.mark_pop3_seen("u1");
  CHECK(md::sync::stored_counts(db, "alice", Protocol::pop3).value().messages == 1);
  CHECK(md::sync::stored_counts(db, "alice", Protocol::imap).value().messages == 0);
  CHECK(md::sync::pop3_seen(db, "alice").value() == std::unordered_set<std::string>{"u1"});
}

TEST_CASE("message store: a rolled-back batch leaves neither its messages nor its counter") {
  Database db = db_with_account();
  MessageWriter w(db, "alice");
  {
    md::store::Transaction txn(db);
    w.put(imap_message(7, 1, "a"), t0());
    w.set_imap_counter("INBOX", 7, 1);
    txn.commit();
  }
  {
    md::store::Transaction txn(db);  // a crash before commit
    w.put(imap_message(7, 2, "b"), t0());
    w.set_imap_counter("INBOX", 7, 2);
  }
  auto s = md::sync::load_state(db, "alice", Protocol::imap).value();
  REQUIRE(s);
  CHECK(s->last_uid == 1);
  CHECK(s->uidvalidity == 7u);
  CHECK(md::sync::stored_counts(db, "alice").value().messages == 1);
}

TEST_CASE("counter reset: IMAP goes back to 0 keeping UIDVALIDITY, with an audit row in the same transaction") {
  Database db = db_with_account();
  MessageWriter w(db, "alice");
  for (uint32_t uid = 1; uid <= 3; ++uid) w.put(imap_message(7, uid, "m"), t0());
  w.set_imap_counter("INBOX", 7, 3);
  auto preview = md::sync::preview_reset(db, "alice", Protocol::imap).value();
  CHECK(preview.old_last_uid == 3);
  CHECK(preview.will_download == 3);
  CHECK(md::sync::load_state(db, "alice", Protocol::imap).value()->last_uid == 3);  // preview changes nothing

  auto r = md::sync::reset_counter(db, "alice", Protocol::imap, md::admin::AdminSession{"root", t0()}, t0()).value();
  CHECK(r.old_uidvalidity == 7u);
  CHECK(r.old_last_uid == 3);
  auto s = md::sync::load_state(db, "alice", Protocol::imap).value();
  REQUIRE(s);
  CHECK(s->last_uid == 0);
  CHECK(s->uidvalidity == 7u);
  CHECK(md::sync::stored_counts(db, "alice").value().messages == 3);  // the messages stay
  auto audit = md::admin::recent_audit(db, 5, std::string("alice"));
  REQUIRE(audit.ok());
  REQUIRE(audit.value().size() == 1);
  CHECK(audit.value()[0].action == md::sync::kActionResetCounter);
  CHECK(audit.value()[0].admin == std::optional<std::string>("root"));
  CHECK(audit.value()[0].detail["old_uidvalidity"] == 7);
  CHECK(audit.value()[0].detail["old_last_uid"] == 3);
  auto last = md::sync::last_reset(db, "alice").value();
  REQUIRE(last);
  CHECK(last->admin == "root");
}

TEST_CASE("counter reset: POP3 clears the UIDL set and says how large it was") {
  Database db = db_with_account();
  MessageWriter w(db, "alice");
  w.mark_pop3_seen("a");
  w.mark_pop3_seen("b");
  auto r = md::sync::reset_counter(db, "alice", Protocol::pop3, md::admin::AdminSession{"root", t0()}, t0()).value();
  CHECK(r.old_uidl_count == 2);
  CHECK(md::sync::pop3_seen(db, "alice").value().empty());
  CHECK(md::admin::recent_audit(db, 1, std::string("alice")).value()[0].detail["uidl_count"] == 2);
}

TEST_CASE("message store: an SQL error comes back as its store failure, never as an exception") {
  Database db = db_with_account();
  MessageWriter w(db, "alice");
  w.set_imap_counter("INBOX", 7, 3);
  // The audit row cannot be written: the reset fails, and its counter change goes back with it.
  db.exec("DROP TABLE audit");
  auto reset = md::sync::reset_counter(db, "alice", Protocol::imap, md::admin::AdminSession{"root", t0()}, t0());
  REQUIRE_FALSE(reset);
  CHECK(reset.failure().code == "store.failed");
  CHECK(reset.failure().detail.find("audit") != std::string::npos);
  CHECK(md::sync::load_state(db, "alice", Protocol::imap).value()->last_uid == 3);
  CHECK_FALSE(md::sync::counter_resets(db, "alice"));

  db.exec("DROP TABLE mailbox_state");
  md::Result<std::optional<md::sync::MailboxState>> state = md::sync::load_state(db, "alice", Protocol::imap);
  REQUIRE_FALSE(state);
  CHECK(state.failure().detail.find("mailbox_state") != std::string::npos);
  auto status = md::sync::load_sync_status(db, "alice", Protocol::imap);
  REQUIRE_FALSE(status);
  CHECK(status.failure().code == "store.failed");
}

TEST_CASE("maildir flags: IMAP system flags to Maildir letters in ASCII order") {
  CHECK(md::sync::maildir_info_flags("\\Seen \\Flagged") == "FS");
  CHECK(md::sync::maildir_info_flags("\\Answered \\seen \\Draft \\Deleted $Junk") == "DRST");
  CHECK(md::sync::maildir_info_flags("") == "");
}

TEST_CASE("maildir export: byte for byte, stable names, exporting again replaces instead of adding") {
  md::test::TempDir dir;
  Database db = db_with_account();
  MessageWriter w(db, "alice");
  const std::string raw = "Subject: x\r\n\r\nbody\r\n.\r\n\0binary"s;
  w.put(imap_message(7, 42, raw, "\\Seen"), t0());
  NewMessage pop;
  pop.protocol = Protocol::pop3;
  pop.uidl = "uid/1";
  pop.raw = "pop";
  w.put(pop, t0());
  fs::path out = dir.path / "md";
  auto r = md::sync::export_maildir(db, "alice", out);
  REQUIRE(r.ok());
  CHECK(r.value().messages == 2);
  CHECK(read_file(out / "cur" / "maildoctor.7.42:2,S") == raw);
  CHECK(read_file(out / "cur" / "maildoctor.pop3.7569642f31:2,") == "pop");
  CHECK(fs::is_directory(out / "new"));
  CHECK(fs::is_empty(out / "tmp"));

  w.put(imap_message(7, 42, raw, "\\Seen \\Flagged"), t0());  // the flags changed on the server
  REQUIRE(md::sync::export_maildir(db, "alice", out).ok());
  CHECK(std::distance(fs::directory_iterator(out / "cur"), fs::directory_iterator()) == 2);
  CHECK(fs::exists(out / "cur" / "maildoctor.7.42:2,FS"));
}

TEST_CASE("maildir export: an unwritable target is export.failed, not a crash") {
  md::test::TempDir dir;
  Database db = db_with_account();
  std::ofstream(dir.path / "file") << "x";
  auto r = md::sync::export_maildir(db, "alice", dir.path / "file" / "sub");
  REQUIRE_FALSE(r.ok());
  CHECK(r.failure().code == "export.failed");
}
