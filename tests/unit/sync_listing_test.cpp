// The silent zero: a server whose UID SEARCH lists nothing while EXAMINE counts messages and UIDNEXT
// stands above the counter. The sync must cross-check the server's own numbers and list the UIDs
// with UID FETCH (UID) instead, or fail with imap.listing_inconsistent; never report ok over a gap.
// A scripted IMAP server on a 127.0.0.1 TCP port (loopback_script_server.h).
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "accounts/repository.h"
#include "loopback_script_server.h"
#include "store/schema.h"
#include "sync/sync.h"
#include "temp_dir.h"

using namespace md;

namespace {

const std::string kGreeting = "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] scripted server ready\r\n";

std::string message(uint32_t uid) {
  return "From: a@example.test\r\nSubject: message " + std::to_string(uid) + "\r\n\r\nbody " + std::to_string(uid) +
         "\r\n";
}

// A mailbox of UIDs 1..3 (UIDNEXT 4) whose UID SEARCH answers "* SEARCH" with no hits.
test::LoopbackScriptServer::Responder mailbox_with_blind_search(bool fetch_lists_too) {
  return [fetch_lists_too](const std::string& line) -> test::LoopbackScriptServer::Reply {
    const size_t space = line.find(' ');
    const std::string tag = line.substr(0, space);
    const std::string cmd = space == std::string::npos ? "" : line.substr(space + 1);
    const std::string ok = tag + " OK done\r\n";
    if (cmd.starts_with("CAPABILITY")) return {"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + ok};
    if (cmd.starts_with("LOGIN") || cmd.starts_with("AUTHENTICATE")) return {tag + " OK signed in\r\n"};
    if (cmd.starts_with("EXAMINE"))
      return {"* 3 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 42] UIDs valid\r\n* OK [UIDNEXT 4] next\r\n" + tag +
              " OK [READ-ONLY] EXAMINE completed\r\n"};
    if (cmd.starts_with("UID SEARCH")) return {"* SEARCH\r\n" + tag + " OK SEARCH completed\r\n"};
    if (cmd.starts_with("UID FETCH")) {
      std::string out;
      if (fetch_lists_too) {
        const bool bodies = cmd.find("BODY.PEEK[]") != std::string::npos;
        for (uint32_t uid = 1; uid <= 3; ++uid) {
          const std::string m = message(uid);
          out += "* " + std::to_string(uid) + " FETCH (UID " + std::to_string(uid);
          if (bodies)
            out += " RFC822.SIZE " + std::to_string(m.size()) + " FLAGS (\\Seen) BODY[] {" + std::to_string(m.size()) +
                   "}\r\n" + m;
          out += ")\r\n";
        }
      }
      return {out + tag + " OK FETCH completed\r\n"};
    }
    if (cmd.starts_with("LOGOUT")) return {"* BYE\r\n" + tag + " OK bye\r\n", true};
    return {ok};
  };
}

struct Store {
  test::TempDir dir;
  store::Database db;
  accounts::Account account;
  explicit Store(uint16_t port) : db(std::move(store::Database::open(dir.path / "md.db", store::schema()).value())) {
    account.name = "box";
    account.email = "box@example.test";
    account.provider = accounts::Provider::custom;
    account.auth = accounts::AuthMethod::password;
    account.imap = {true, "127.0.0.1", port, accounts::Security::none};
    account.timeout_s = 5;
    REQUIRE(accounts::insert_account(db, account));
  }
};

}  // namespace

TEST_CASE("sync: a UID SEARCH that lists nothing while EXAMINE counts 3 falls back to UID FETCH (UID)") {
  test::LoopbackScriptServer server(kGreeting, mailbox_with_blind_search(true));
  Store s(server.port());
  auto notes = std::make_shared<std::string>();
  sync::SyncOptions o;
  o.transcript = [notes](protolog::Direction, std::string_view line) { *notes += std::string(line) + "\n"; };
  auto r = sync::run_sync(s.db, s.account, "pw", o);
  REQUIRE_MESSAGE(r.ok(), (r ? "" : r.failure().code + ": " + r.failure().detail));
  CHECK(r.value().downloaded == 3);
  CHECK(r.value().last_uid == 3);
  bool listed_by_fetch = false;
  for (const std::string& c : server.lines())
    if (c.find("UID FETCH") != std::string::npos && c.find("(UID)") != std::string::npos) listed_by_fetch = true;
  CHECK(listed_by_fetch);
  // The protocol log says why a second listing was made.
  CHECK(notes->find("UID SEARCH listed 0 message(s)") != std::string::npos);
}

TEST_CASE("sync: when SEARCH and FETCH both list nothing for a mailbox of 3, it is imap.listing_inconsistent") {
  test::LoopbackScriptServer server(kGreeting, mailbox_with_blind_search(false));
  Store s(server.port());
  auto r = sync::run_sync(s.db, s.account, "pw", {});
  REQUIRE_FALSE(r.ok());
  CHECK(r.failure().code == "imap.listing_inconsistent");
  CHECK(r.failure().detail.find("3 message(s) by EXAMINE") != std::string::npos);
}
