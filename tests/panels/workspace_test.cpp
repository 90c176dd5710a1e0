// The workspace behind the window, against a temp data dir and 127.0.0.1 only: a store error
// while loading is shown rather than "opening database..." for ever; checks run on a worker with
// steps appearing as they finish, a silent host never stalls frame(), and Cancel ends the run; the
// counter reset verifies the admin on a worker and wrong credentials change nothing.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "../support/fake_server.h"
#include "../support/temp_dir.h"
#include "accounts/repository.h"
#include "admin/admins.h"
#include "admin/audit.h"
#include "store/database.h"
#include "store/schema.h"
#include "sync/message_store.h"
#include "sync/sync_lock.h"
#include "vault/key_store.h"
#include "vault/vault.h"
#include "workspace.h"

namespace md {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

using test::TempDir;
// A host that accepts connections on 127.0.0.1 and never says a word (it never even accepts):
// the host that hangs a naive client.
using SilentServer = test::Listener;

accounts::Account local_account(const std::string& name, int port) {
  accounts::Account a;
  a.name = name;
  a.email = name + "@example.test";
  a.provider = accounts::Provider::custom;
  a.auth = accounts::AuthMethod::password;
  a.imap = {true, "127.0.0.1", port, accounts::Security::none};
  a.timeout_s = 2;
  return a;
}

// An OAuth account that never signed in, whose endpoints nothing answers.
accounts::Account never_signed_in(const std::string& name) {
  accounts::Account a = local_account(name, 993);
  a.auth = accounts::AuthMethod::oauth2;
  a.oauth.client_id = "client";
  a.oauth.authorize_url = "https://127.0.0.1/authorize";
  a.oauth.token_url = "https://127.0.0.1/token";
  a.oauth.scopes = {"mail"};
  return a;
}

void add_account(const DataLayout& layout, const accounts::Account& a) {
  REQUIRE(prepare_data_dir(layout.root));
  auto db = store::Database::open(layout.database(), store::schema());
  REQUIRE(db);
  auto r = accounts::insert_account(db.value(), a);
  if (!r) FAIL(r.failure().detail);
}

// Runs frames until `done` or the bound; checks no frame takes long (the UI never waits).
// The bound of a wait on a worker: generous, since it only stops a hung test; a loaded machine (the
// GUI tests' software rendering beside these) can starve a worker for seconds.
constexpr std::chrono::seconds kBound{60};

template <class Pred>
bool frames_until(Workspace& ws, Pred done, std::chrono::milliseconds bound, double* slowest_ms = nullptr) {
  const auto end = Clock::now() + bound;
  while (Clock::now() < end) {
    const auto t0 = Clock::now();
    ws.frame();
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (slowest_ms) *slowest_ms = std::max(*slowest_ms, ms);
    if (done()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

}  // namespace

TEST_CASE("workspace: a store error while loading the accounts is shown, not opening for ever") {
  // token_state: the account health query reads it. settings: the schedule, the interface scale and
  // the last checks. Without either, SQL fails inside the load job.
  for (const char* table : {"token_state", "settings"}) {
    CAPTURE(table);
    TempDir dir;
    DataLayout layout{dir.path};
    add_account(layout, never_signed_in("alice"));
    {
      auto db = store::Database::open(layout.database(), store::schema());
      REQUIRE(db);
      db.value().exec(std::string("DROP TABLE ") + table);
    }
    Workspace ws(layout, {});
    ws.start();
    REQUIRE(frames_until(
        ws, [&] { return ws.view().store_ready || ws.view().store_error.has_value(); }, kBound));
    REQUIRE(ws.view().store_error.has_value());
    CHECK(ws.view().store_error->code.starts_with("store."));
    CHECK(ws.view().store_error->detail.find(table) != std::string::npos);
    CHECK_FALSE(ws.view().store_ready);
    CHECK(ws.view().accounts.empty());
  }
}

TEST_CASE("workspace: the view says what protects the vault's key, and names a key it cannot read") {
  // The tests run with MAILDOCTOR_KEY_STORE=file (CMake): the key file, never a desktop keyring.
  TempDir dir;
  DataLayout layout{dir.path};
  add_account(layout, local_account("alice", 9));
  Workspace ws(layout, {});
  ws.start();
  REQUIRE(frames_until(
      ws, [&] { return ws.view().store_ready; }, kBound));
  CHECK(ws.view().key_protection == "no key yet");
  CHECK_FALSE(ws.view().key_problem.has_value());

  REQUIRE(vault::Vault::open(layout.vault_key()));
  ws.apply(cmd::ReloadAccounts{});
  REQUIRE(frames_until(
      ws, [&] { return ws.view().key_protection != "no key yet"; }, kBound));
  CHECK(ws.view().key_protection == "key file (owner-only, mode 0600)");
  CHECK_FALSE(ws.view().key_problem.has_value());

  // A folder whose key the keyring keeps, where the key file is all that may be used.
  std::filesystem::remove(layout.vault_key());
  std::ofstream(layout.vault_key()) << vault::detail::kKeyringMarker << "\n";
  ws.apply(cmd::ReloadAccounts{});
  REQUIRE(frames_until(
      ws, [&] { return ws.view().key_problem.has_value(); }, kBound));
  CHECK(ws.view().key_problem->code == "vault.keyring_unavailable");
  CHECK(ws.view().key_protection == "unreadable (vault.keyring_unavailable)");
  CHECK(ws.view().store_ready);  // the accounts still load
}

TEST_CASE("workspace: checks against a silent host stream their steps and Cancel ends the run") {
  TempDir dir;
  DataLayout layout{dir.path};
  SilentServer silent;
  accounts::Account quiet = local_account("quiet", silent.port());
  // Long enough that the run is surely still waiting when Cancel comes, however starved this
  // thread is; Cancel then ends it after this step, so the case takes about this long.
  quiet.timeout_s = 6;
  add_account(layout, quiet);
  Workspace ws(layout, {});
  ws.start();
  REQUIRE(frames_until(
      ws, [&] { return ws.view().store_ready && !ws.view().accounts.empty(); }, kBound));
  ws.apply(cmd::SelectAccount{"quiet"});
  ws.apply(cmd::RunChecks{"quiet"});
  const CheckRun* run = ws.view().check("quiet");
  REQUIRE(run != nullptr);
  CHECK(run->running);
  CHECK(run->step_timeout_s == 6);

  // dns, tcp and tls (a warning: no encryption) finish at once; the greeting then waits on the
  // silent host. Cancel once it has surely started waiting.
  double slowest = 0;
  auto tls_done = [&] {
    for (const auto& s : ws.view().check("quiet")->steps)
      if (s.id == "imap.tls") return true;
    return false;
  };
  REQUIRE(frames_until(ws, tls_done, kBound, &slowest));
  CHECK_FALSE(frames_until(
      ws, [] { return false; }, 300ms, &slowest));
  CHECK(ws.view().check("quiet")->running);
  ws.apply(cmd::CancelChecks{"quiet"});
  CHECK(ws.view().check("quiet")->cancelling);
  // Cancel takes effect after the current step: within one timeout (6 s) and some slack.
  REQUIRE(frames_until(
      ws, [&] { return !ws.view().check("quiet")->running; }, kBound, &slowest));
  run = ws.view().check("quiet");
  CHECK(run->cancelled);
  CHECK_FALSE(run->error.has_value());
  bool greeting_failed = false, later_skipped = true;
  for (const auto& s : run->steps) {
    if (s.id == "imap.greeting") greeting_failed = s.status == diagnostics::StepStatus::fail;
    if (s.id == "imap.mailbox") later_skipped = s.status == diagnostics::StepStatus::skip;
  }
  CHECK(greeting_failed);
  CHECK(later_skipped);
  MESSAGE("slowest frame: " << slowest << " ms");  // a figure, not a check: bench/ui times frames
  // The account's colour follows the run.
  CHECK(ws.view().accounts.front().health == Health::failed);
  // The conversation reached the account's protocol log.
  CHECK(ws.view().log->account == "quiet");
  CHECK(!ws.view().log->lines.empty());
}

TEST_CASE("workspace: a refused port fails tcp and the report is kept for the next start") {
  TempDir dir;
  DataLayout layout{dir.path};
  const int port = test::closed_port();  // a port that was free a moment ago and is closed now
  add_account(layout, local_account("closed", port));
  {
    Workspace ws(layout, {});
    ws.start();
    REQUIRE(frames_until(
        ws, [&] { return !ws.view().accounts.empty(); }, kBound));
    CHECK(ws.view().accounts.front().health == Health::unknown);
    ws.apply(cmd::RunChecks{"closed"});
    REQUIRE(frames_until(
        ws, [&] { return !ws.view().check("closed")->running; }, kBound));
    const CheckRun* run = ws.view().check("closed");
    bool tcp_refused = false;
    for (const auto& s : run->steps)
      if (s.id == "imap.tcp" && s.failure) tcp_refused = s.failure->code == "tcp.refused";
    CHECK(tcp_refused);
  }
  // A new window reads the saved report: the account starts red.
  Workspace again(layout, {});
  again.start();
  REQUIRE(frames_until(
      again, [&] { return !again.view().accounts.empty(); }, kBound));
  CHECK(again.view().accounts.front().health == Health::failed);
}

TEST_CASE("workspace: the token of an OAuth account that never signed in, and a refresh that cannot happen") {
  TempDir dir;
  DataLayout layout{dir.path};
  accounts::Account a = local_account("fresh", 993);
  a.auth = accounts::AuthMethod::oauth2;
  a.oauth.client_id = "client";
  a.oauth.authorize_url = "https://127.0.0.1/authorize";
  a.oauth.token_url = "https://127.0.0.1/token";
  a.oauth.scopes = {"mail"};
  add_account(layout, a);
  Workspace ws(layout, {});
  ws.start();
  REQUIRE(frames_until(
      ws, [&] { return !ws.view().accounts.empty(); }, kBound));
  CHECK(ws.view().accounts.front().health == Health::warning);
  ws.apply(cmd::SelectAccount{"fresh"});
  CHECK(ws.view().token.loading);
  REQUIRE(frames_until(
      ws, [&] { return ws.view().token.status.has_value(); }, kBound));
  CHECK_FALSE(ws.view().token.status->signed_in);
  ws.apply(cmd::RefreshToken{"fresh"});
  CHECK(ws.view().token.refreshing);
  REQUIRE(frames_until(
      ws, [&] { return !ws.view().token.refreshing; }, kBound));
  REQUIRE(ws.view().token.refresh_failure.has_value());
  CHECK(ws.view().token.refresh_failure->code == "oauth.not_signed_in");
  CHECK(ws.view().token.failure_serial == 1);
}

TEST_CASE("workspace: the selected account's log lines reach the view, other accounts' do not") {
  TempDir dir;
  DataLayout layout{dir.path};
  Workspace ws(layout, {});
  ws.apply(cmd::SelectAccount{"alice"});
  ws.log().append("alice", "imap", protolog::Direction::client, "A1 NOOP");
  ws.log().append("bob", "imap", protolog::Direction::client, "A1 LOGOUT");
  ws.log().append("alice", "imap", protolog::Direction::server, "A1 OK\r\n* 3 EXISTS");
  ws.frame();
  REQUIRE(ws.view().log->lines.size() == 3);
  CHECK(ws.view().log->line_text(0).ends_with("imap C: A1 NOOP"));
  CHECK(ws.view().log->line_text(2).ends_with("imap S: * 3 EXISTS"));
  ws.frame();
  CHECK(ws.view().log->lines.size() == 3);
  ws.apply(cmd::SelectAccount{"bob"});
  ws.frame();
  REQUIRE(ws.view().log->lines.size() == 1);
  CHECK(ws.view().log->line_text(0).ends_with("A1 LOGOUT"));
  ws.apply(cmd::ClearLog{});
  CHECK(ws.view().log->lines.empty());
}

TEST_CASE("workspace: a long log is read on a worker when its account is selected, nothing lost or doubled") {
  TempDir dir;
  DataLayout layout{dir.path};
  Workspace ws(layout, {});
  for (int i = 0; i < 30'000; ++i)
    ws.log().append(i % 3 == 0 ? "alice" : "bob", "imap", protolog::Direction::server, "* " + std::to_string(i));
  ws.apply(cmd::SelectAccount{"bob"});
  ws.frame();
  // Lines that arrive while it is read come after the ones read, once each.
  for (int i = 30'000; i < 30'010; ++i)
    ws.log().append("bob", "imap", protolog::Direction::server, "* " + std::to_string(i));
  REQUIRE(frames_until(
      ws, [&] { return ws.view().log->lines.size() >= 20'010; }, kBound));
  ws.frame();
  const LogBuffer& log = *ws.view().log;
  CHECK_FALSE(log.reading);
  REQUIRE(log.lines.size() == 20'010);
  CHECK(log.line_text(0).ends_with("S: * 1"));
  CHECK(log.line_text(19'999).ends_with("S: * 29999"));
  CHECK(log.line_text(20'009).ends_with("S: * 30009"));

  // Selected again while being read, then cleared: the read's lines never show.
  ws.apply(cmd::SelectAccount{"alice"});
  ws.frame();
  ws.apply(cmd::ClearLog{});
  ws.log().append("alice", "imap", protolog::Direction::client, "A1 NOOP");
  REQUIRE(frames_until(
      ws, [&] { return ws.view().log->lines.size() == 1; }, kBound));
  for (int i = 0; i < 20; ++i) {
    ws.frame();
    std::this_thread::sleep_for(5ms);
  }
  REQUIRE(ws.view().log->lines.size() == 1);
  CHECK(ws.view().log->line_text(0).ends_with("A1 NOOP"));
}

}  // namespace md

namespace md {

TEST_CASE("workspace: re-authentication waits for the browser without blocking, shows the URL, and cancels") {
  TempDir dir;
  DataLayout layout{dir.path};
  accounts::Account a = local_account("reauth", 993);
  a.auth = accounts::AuthMethod::oauth2;
  a.oauth.client_id = "client";
  a.oauth.authorize_url = "https://127.0.0.1:9/authorize";
  a.oauth.token_url = "https://127.0.0.1:9/token";
  a.oauth.scopes = {"mail"};
  add_account(layout, a);
  // A "browser" that opens nothing: the flow waits for a redirect that never comes.
  auto opened_url = std::make_shared<std::string>();
  std::mutex opened_mu;
  Workspace ws(layout, {});
  ws.set_browser_launcher([&, opened_url](const std::string& url) -> Result<void> {
    std::lock_guard lock(opened_mu);
    *opened_url = url;
    return {};
  });
  ws.start();
  REQUIRE(frames_until(
      ws, [&] { return !ws.view().accounts.empty(); }, kBound));
  ws.apply(cmd::SelectAccount{"reauth"});
  ws.apply(cmd::Reauthenticate{"reauth"});
  CHECK(ws.view().token.sign_in.state == ConsentState::waiting);
  double slowest = 0;
  REQUIRE(frames_until(
      ws, [&] { return !ws.view().token.sign_in.url.empty(); }, kBound, &slowest));
  const std::string& url = ws.view().token.sign_in.url;
  CHECK(url.starts_with("https://127.0.0.1:9/authorize?"));
  CHECK(url.find("redirect_uri=http%3A%2F%2F127.0.0.1%3A") != std::string::npos);
  CHECK(url.find("login_hint=reauth%40example.test") != std::string::npos);
  {
    std::lock_guard lock(opened_mu);
    CHECK(*opened_url == url);  // the page the browser was asked to open is the one shown
  }
  CHECK(ws.view().token.sign_in.state == ConsentState::waiting);
  ws.apply(cmd::CancelConsent{});
  REQUIRE(frames_until(
      ws, [&] { return ws.view().token.sign_in.state != ConsentState::waiting; }, kBound, &slowest));
  CHECK(ws.view().token.sign_in.state == ConsentState::failed);
  REQUIRE(ws.view().token.sign_in.failure.has_value());
  CHECK(ws.view().token.sign_in.failure->code == "oauth.cancelled");
  MESSAGE("slowest frame: " << slowest << " ms");  // a figure, not a check: bench/ui times frames
}

TEST_CASE("workspace: the counter reset needs the preview and a right admin password, a wrong one changes nothing") {
  TempDir dir;
  DataLayout layout{dir.path};
  add_account(layout, local_account("alice", 1));
  {
    auto db = store::Database::open(layout.database(), store::schema());
    REQUIRE(db);
    REQUIRE(admin::add_admin(db.value(), "carol", "correct-horse-battery-staple"));
    store::Transaction tx(db.value());
    sync::MessageWriter w(db.value(), "alice");
    sync::NewMessage m;
    m.uidvalidity = 7;
    m.uid = 5;
    m.raw = "Subject: hello\r\n\r\nhi\r\n";
    w.put(m, std::chrono::system_clock::now());
    w.set_imap_counter(sync::kInbox, 7, 5);
    tx.commit();
  }
  Workspace ws(layout, {});
  ws.start();
  REQUIRE(frames_until(
      ws, [&] { return ws.view().store_ready && ws.view().admin.has_admins.has_value(); }, kBound));
  CHECK(*ws.view().admin.has_admins);
  ws.apply(cmd::SelectAccount{"alice"});
  REQUIRE(frames_until(
      ws, [&] { return ws.view().sync.status.has_value(); }, kBound));
  REQUIRE(ws.view().sync.status->state);
  CHECK(ws.view().sync.status->state->last_uid == 5);
  CHECK(ws.view().sync.status->stored.messages == 1);

  auto reset = [&](const char* user, const char* password) { ws.apply(cmd::ResetCounter{"alice", user, password}); };
  // Without a preview the reset is not even started.
  reset("carol", "correct-horse-battery-staple");
  CHECK(ws.view().reset.stage == ResetStage::idle);

  auto preview = [&] {
    ws.apply(cmd::PreviewReset{"alice"});
    REQUIRE(frames_until(
        ws, [&] { return ws.view().reset.stage == ResetStage::ready; }, kBound));
  };
  preview();
  REQUIRE(ws.view().reset.preview);
  CHECK(ws.view().reset.preview->will_download == 1);
  CHECK(ws.view().reset.preview->old_last_uid == 5);

  // Wrong password: refused with its code, the counter and the last reset unchanged.
  reset("carol", "wrong-password-here");
  CHECK(ws.view().reset.stage == ResetStage::resetting);
  REQUIRE(frames_until(
      ws, [&] { return ws.view().reset.stage == ResetStage::failed && !ws.view().sync.loading; }, kBound));
  REQUIRE(ws.view().reset.failure);
  CHECK(ws.view().reset.failure->code == "admin.bad_credentials");
  CHECK(ws.view().reset.failure->detail.find("wrong-password-here") == std::string::npos);
  CHECK(ws.view().sync.status->state->last_uid == 5);
  CHECK_FALSE(ws.view().sync.status->last_reset);

  // The right password: reset, audited with the admin's name, and the status shows it.
  preview();
  reset("carol", "correct-horse-battery-staple");
  REQUIRE(frames_until(
      ws,
      [&] {
        return ws.view().reset.stage == ResetStage::done && !ws.view().sync.loading &&
               ws.view().sync.status->last_reset.has_value();
      },
      20s));
  CHECK(ws.view().reset.admin == "carol");
  CHECK(ws.view().reset.at.has_value());
  CHECK(ws.view().sync.status->state->last_uid == 0);
  CHECK(ws.view().sync.status->last_reset->admin == "carol");
  CHECK(ws.view().reset.confirmed_with == admin::Confirmation::password);

  // Closing forgets the flow.
  ws.apply(cmd::CloseReset{});
  CHECK(ws.view().reset.stage == ResetStage::idle);

  auto last_reset_detail = [&] {
    auto db = store::Database::open(layout.database(), store::schema());
    REQUIRE(db);
    auto rows = admin::recent_audit(db.value(), 1, std::string("alice"));
    REQUIRE(rows);
    REQUIRE(rows.value().size() == 1);
    CHECK(rows.value()[0].action == sync::kActionResetCounter);
    return rows.value()[0].detail;
  };
  CHECK(last_reset_detail()["confirmed_with"] == "password");

  // No name: the window's admin confirms, only while one is signed in.
  preview();
  reset("", "");
  REQUIRE(frames_until(
      ws, [&] { return ws.view().reset.stage == ResetStage::failed; }, kBound));
  CHECK(ws.view().reset.failure->code == "admin.not_authorized");

  // Signed in to the window just now: no password, and the audit row says how it was confirmed.
  const uint64_t serial = ws.view().admin.serial;
  cmd::AdminSignIn sign_in;
  sign_in.user = "carol";
  sign_in.password = "correct-horse-battery-staple";
  ws.apply(sign_in);
  REQUIRE(frames_until(
      ws, [&] { return ws.view().admin.serial != serial; }, kBound));
  REQUIRE(ws.view().admin.session);
  preview();
  reset("", "");
  REQUIRE(frames_until(
      ws, [&] { return ws.view().reset.stage == ResetStage::done; }, kBound));
  CHECK(ws.view().reset.admin == "carol");
  CHECK(ws.view().reset.confirmed_with == admin::Confirmation::recent_sign_in);
  const nlohmann::json detail = last_reset_detail();
  CHECK(detail["confirmed_with"] == "recent_sign_in");
  CHECK(detail.contains("signed_in_at"));
  REQUIRE(frames_until(
      ws, [&] { return !ws.view().sync.loading && ws.view().sync.status->last_reset.has_value(); }, kBound));
  CHECK(ws.view().sync.status->last_reset->confirmed_with == "recent_sign_in");
}

TEST_CASE("workspace: admin sign-in on a worker, the first admin only when none exists, sign-out") {
  TempDir dir;
  DataLayout layout{dir.path};
  add_account(layout, local_account("alice", 1));
  Workspace ws(layout, {});
  ws.start();
  REQUIRE(frames_until(
      ws, [&] { return ws.view().admin.has_admins.has_value(); }, kBound));
  CHECK_FALSE(*ws.view().admin.has_admins);
  auto send = [&](auto kind, const char* user, const char* password) {
    const uint64_t serial = ws.view().admin.serial;
    ws.apply(decltype(kind){user, password});
    CHECK(ws.view().admin.busy);
    REQUIRE(frames_until(
        ws, [&] { return ws.view().admin.serial != serial; }, kBound));
  };
  send(cmd::AddFirstAdmin{}, "carol", "correct-horse-battery-staple");
  CHECK_FALSE(ws.view().admin.failure);
  REQUIRE(ws.view().admin.session);
  CHECK(ws.view().admin.session->user == "carol");
  CHECK(*ws.view().admin.has_admins);
  ws.apply(cmd::AdminSignOut{});
  CHECK_FALSE(ws.view().admin.session);
  // The first-admin path cannot add a second admin.
  send(cmd::AddFirstAdmin{}, "mallory", "another-long-password");
  REQUIRE(ws.view().admin.failure);
  CHECK(ws.view().admin.failure->code == "admin.not_authorized");
  CHECK_FALSE(ws.view().admin.session);
  send(cmd::AdminSignIn{}, "carol", "not-the-password");
  REQUIRE(ws.view().admin.failure);
  CHECK(ws.view().admin.failure->code == "admin.bad_credentials");
  CHECK_FALSE(ws.view().admin.session);
  send(cmd::AdminSignIn{}, "carol", "correct-horse-battery-staple");
  CHECK_FALSE(ws.view().admin.failure);
  REQUIRE(ws.view().admin.session);
  CHECK(ws.view().admin.session->user == "carol");
}

TEST_CASE("workspace: Sync now runs on a worker and shows why it could not run; the status reloads") {
  TempDir dir;
  DataLayout layout{dir.path};
  add_account(layout, local_account("alice", 1));
  Workspace ws(layout, {});
  ws.start();
  REQUIRE(frames_until(
      ws, [&] { return ws.view().store_ready; }, kBound));
  ws.apply(cmd::SelectAccount{"alice"});
  REQUIRE(frames_until(
      ws, [&] { return ws.view().sync.status.has_value(); }, kBound));
  CHECK(ws.view().sync.status->protocol == accounts::Protocol::imap);
  CHECK_FALSE(ws.view().sync.status->state);  // never synced

  auto sync_until_done = [&] {
    ws.apply(cmd::SyncNow{"alice"});
    CHECK(ws.view().sync.running);
    double slowest = 0;
    REQUIRE(frames_until(
        ws, [&] { return !ws.view().sync.running && !ws.view().sync.loading; }, kBound, &slowest));
    MESSAGE("slowest frame: " << slowest << " ms");  // a figure, not a check: bench/ui times frames
  };
  // Another process (the CLI) holds the account's sync lock: sync.busy, nothing else tried.
  {
    auto lock = sync::SyncLock::acquire(layout.sync_lock("alice"));
    REQUIRE(lock);
    sync_until_done();
    REQUIRE(ws.view().sync.failure);
    CHECK(ws.view().sync.failure->code == "sync.busy");
  }
  // No password saved for the account: said so, with its code.
  sync_until_done();
  REQUIRE(ws.view().sync.failure);
  CHECK(ws.view().sync.failure->code == "auth.no_password");
  CHECK_FALSE(ws.view().sync.summary);
  CHECK(ws.view().sync.status.has_value());
}

}  // namespace md

namespace md {
namespace {

accounts::AccountDraft password_draft(const std::string& name, int port) {
  accounts::AccountDraft d = accounts::new_draft(accounts::Provider::custom);
  d.name = name;
  d.email = name + "@example.test";
  d.imap = "127.0.0.1:" + std::to_string(port);
  d.imap_security = accounts::Security::none;
  d.password = "setup-secret-pw";
  d.timeout = "2";
  return d;
}

}  // namespace

TEST_CASE("workspace: setup saves a password account with its secret sealed, selects it and runs its checks") {
  TempDir dir;
  DataLayout layout{dir.path};
  Workspace ws(layout, {});
  ws.start();
  REQUIRE(frames_until(
      ws, [&] { return ws.view().store_ready; }, kBound));
  cmd::SetupSave save;
  save.draft = std::make_shared<const accounts::AccountDraft>(password_draft("desk", 9));
  ws.apply(save);
  CHECK(ws.view().setup.save == SetupSave::saving);
  double slowest = 0;
  REQUIRE(frames_until(
      ws, [&] { return ws.view().setup.save != SetupSave::saving; }, kBound, &slowest));
  REQUIRE(ws.view().setup.save == SetupSave::saved);
  CHECK(ws.view().setup.saved_account == "desk");
  CHECK(ws.view().selected == "desk");
  REQUIRE(frames_until(
      ws, [&] { return ws.view().accounts.size() == 1; }, kBound, &slowest));
  // Its checks started at once and end on their own (port 9 refuses).
  REQUIRE(ws.view().check("desk") != nullptr);
  REQUIRE(frames_until(
      ws, [&] { return !ws.view().check("desk")->running; }, kBound, &slowest));
  CHECK(run_health(*ws.view().check("desk")) == Health::failed);
  MESSAGE("slowest frame: " << slowest << " ms");  // a figure, not a check: bench/ui times frames

  // The password is in the vault, sealed: the database file does not hold it in the clear.
  auto db = store::Database::open(layout.database(), store::schema());
  REQUIRE(db);
  auto v = vault::Vault::open(layout.vault_key());
  REQUIRE(v);
  auto pw = vault::get_secret(db.value(), v.value(), "desk", "password");
  REQUIRE(pw);
  REQUIRE(pw.value().has_value());
  CHECK(*pw.value() == "setup-secret-pw");

  // The same name again is refused and changes nothing.
  ws.apply(save);
  REQUIRE(frames_until(
      ws, [&] { return ws.view().setup.save != SetupSave::saving; }, kBound));
  CHECK(ws.view().setup.save == SetupSave::failed);
  REQUIRE(ws.view().setup.save_failure.has_value());
  CHECK(ws.view().setup.save_failure->code == "accounts.exists");
}

TEST_CASE(
    "workspace: setup of an OAuth account signs in on a worker, shows the address, cancels, and saves nothing "
    "unsigned") {
  TempDir dir;
  DataLayout layout{dir.path};
  Workspace ws(layout, {});
  std::atomic<int> browser_opened{0};
  ws.set_browser_launcher([&](const std::string&) -> Result<void> {
    ++browser_opened;
    return {};
  });
  ws.start();
  REQUIRE(frames_until(
      ws, [&] { return ws.view().store_ready; }, kBound));
  accounts::AccountDraft d = accounts::new_draft(accounts::Provider::gmail);
  d.name = "frontdesk";
  d.email = "frontdesk@example.com";
  d.client_id = "1234.apps.googleusercontent.com";
  // Nowhere to sign in: the authorize address is never opened (the "browser" opens nothing).
  cmd::SetupSignIn sign_in;
  sign_in.draft = std::make_shared<const accounts::AccountDraft>(d);
  ws.apply(sign_in);
  CHECK(ws.view().setup.sign_in.state == ConsentState::waiting);
  double slowest = 0;
  REQUIRE(frames_until(
      ws, [&] { return !ws.view().setup.sign_in.url.empty(); }, kBound, &slowest));
  const std::string url = ws.view().setup.sign_in.url;
  CHECK(url.starts_with("https://accounts.google.com/o/oauth2/auth?"));
  CHECK(url.find("login_hint=frontdesk%40example.com") != std::string::npos);
  CHECK(url.find("client_id=1234.apps.googleusercontent.com") != std::string::npos);
  CHECK(ws.view().token.sign_in.state == ConsentState::idle);  // not the token panel's sign-in
  ws.apply(cmd::CancelConsent{});
  REQUIRE(frames_until(
      ws, [&] { return ws.view().setup.sign_in.state != ConsentState::waiting; }, kBound, &slowest));
  CHECK(ws.view().setup.sign_in.state == ConsentState::failed);
  CHECK(ws.view().setup.sign_in.failure->code == "oauth.cancelled");
  CHECK(ws.view().setup.signed_in_key.empty());
  MESSAGE("slowest frame: " << slowest << " ms");  // a figure, not a check: bench/ui times frames

  // Save without a sign-in: refused, nothing written.
  cmd::SetupSave save;
  save.draft = std::make_shared<const accounts::AccountDraft>(d);
  ws.apply(save);
  REQUIRE(frames_until(
      ws, [&] { return ws.view().setup.save != SetupSave::saving; }, kBound));
  CHECK(ws.view().setup.save == SetupSave::failed);
  CHECK(ws.view().setup.save_failure->code == "oauth.not_signed_in");
  auto db = store::Database::open(layout.database(), store::schema());
  REQUIRE(db);
  auto list = accounts::list_accounts(db.value());
  REQUIRE(list);
  CHECK(list.value().empty());
  CHECK(browser_opened.load() == 1);
}

}  // namespace md

namespace md {

TEST_CASE("workspace: the background schedule has defaults, is saved in the data dir and read back") {
  TempDir dir;
  DataLayout layout{dir.path};
  {
    Workspace ws(layout, {});
    ws.start();
    REQUIRE(frames_until(
        ws, [&] { return ws.view().background.loaded; }, kBound));
    CHECK(ws.view().background.check_every_min == 15);
    CHECK(ws.view().background.sync_every_min == 30);
    cmd::SetBackground c;
    c.check_every_min = 0;
    c.sync_every_min = 100000;  // beyond a day: a day
    ws.apply(c);
    REQUIRE(frames_until(
        ws, [&] { return ws.view().background.check_every_min == 0; }, kBound));
    CHECK(ws.view().background.sync_every_min == kMaxBackgroundIntervalMin);
    CHECK_FALSE(ws.view().background_failure.has_value());
  }
  Workspace again(layout, [] {});
  again.start();
  REQUIRE(frames_until(
      again, [&] { return again.view().background.loaded; }, kBound));
  CHECK(again.view().background.check_every_min == 0);
  CHECK(again.view().background.sync_every_min == kMaxBackgroundIntervalMin);
}

}  // namespace md

namespace md {

TEST_CASE("workspace: Save report and the log's Save write owner-only files in reports/ without the password") {
  TempDir dir;
  DataLayout layout{dir.path};
  Workspace ws(layout, {});
  ws.start();
  REQUIRE(frames_until(
      ws, [&] { return ws.view().store_ready; }, kBound));
  cmd::SetupSave save;
  accounts::AccountDraft d = accounts::new_draft(accounts::Provider::custom);
  d.name = "desk";
  d.email = "desk@example.test";
  d.imap = "127.0.0.1:9";
  d.imap_security = accounts::Security::none;
  d.password = "report-secret-pw-5521";
  d.timeout = "2";
  save.draft = std::make_shared<const accounts::AccountDraft>(d);
  ws.apply(save);
  REQUIRE(frames_until(
      ws, [&] { return ws.view().check("desk") != nullptr && !ws.view().check("desk")->running; }, kBound));

  ws.apply(cmd::SaveReport{"desk"});
  CHECK(ws.view().report.saving);
  double slowest = 0;
  REQUIRE(frames_until(
      ws, [&] { return !ws.view().report.saving; }, kBound, &slowest));
  REQUIRE_FALSE(ws.view().report.failure.has_value());
  const std::filesystem::path report = ws.view().report.path;
  CHECK(report.parent_path() == layout.root / "reports");
  CHECK(report.extension() == ".html");
  std::ifstream in(report);
  const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(html.find("MailDoctor support report: desk") != std::string::npos);
  CHECK(html.find("imap.tcp") != std::string::npos);  // the last check is in it
  CHECK(html.find("report-secret-pw-5521") == std::string::npos);
  CHECK((std::filesystem::status(report).permissions() & std::filesystem::perms::group_all) ==
        std::filesystem::perms::none);

  ws.apply(cmd::SaveLog{"desk"});
  REQUIRE(frames_until(
      ws, [&] { return !ws.view().log_file.saving; }, kBound, &slowest));
  REQUIRE_FALSE(ws.view().log_file.failure.has_value());
  std::ifstream log_in(ws.view().log_file.path);
  const std::string log((std::istreambuf_iterator<char>(log_in)), std::istreambuf_iterator<char>());
  CHECK(log.find("report-secret-pw-5521") == std::string::npos);
  MESSAGE("slowest frame: " << slowest << " ms");  // a figure, not a check: bench/ui times frames
}

}  // namespace md

namespace md {
namespace {

// The workspace's clock, moved by the test: the schedule's minutes pass in microseconds.
struct TestClock {
  std::chrono::system_clock::time_point start = std::chrono::system_clock::now();
  std::atomic<int64_t> seconds{0};
  Workspace::Clock clock() {
    return [this] { return start + std::chrono::seconds(seconds.load()); };
  }
};

// The scheduled jobs queued or running now, by name.
std::vector<std::string> active_jobs(const Workspace& ws, const std::string& suffix) {
  std::vector<std::string> names;
  for (const jobs::JobSnapshot& j : ws.view().jobs)
    if ((j.state == jobs::JobState::queued || j.state == jobs::JobState::running) && j.name.ends_with(suffix))
      names.push_back(j.name);
  return names;
}

}  // namespace

TEST_CASE("workspace: background syncs run one at a time, and the accounts' rounds are spread") {
  TempDir dir;
  DataLayout layout{dir.path};
  SilentServer silent;  // every sync waits for a greeting until its 1 s timeout
  for (const char* name : {"a1", "a2", "a3", "a4"}) {
    accounts::Account a = local_account(name, silent.port());
    a.timeout_s = 1;
    add_account(layout, a);
  }
  {
    auto db = store::Database::open(layout.database(), store::schema());
    auto v = vault::Vault::open(layout.vault_key());
    REQUIRE((db && v));
    for (const char* name : {"a1", "a2", "a3", "a4"})
      REQUIRE(vault::put_secret(db.value(), v.value(), name, "password", "pw"));
  }
  TestClock clock;
  Workspace ws(layout, {}, clock.clock());
  ws.start();
  REQUIRE(frames_until(
      ws, [&] { return ws.view().background.loaded && ws.view().accounts.size() == 4; }, kBound));
  ws.override_schedule({0, 1, true});
  ws.frame();  // the first round is due from now: one minute, and a quarter of it more per account
  CHECK(active_jobs(ws, "(scheduled)").empty());

  clock.seconds = 61;  // only the first account's sync is due
  ws.frame();
  ws.frame();
  CHECK(active_jobs(ws, "(scheduled)") == std::vector<std::string>{"Sync a1 (scheduled)"});

  clock.seconds = 120;  // every account is due now: still one sync at a time
  std::set<std::string> synced;
  size_t most_at_once = 0;
  REQUIRE(frames_until(
      ws,
      [&] {
        const auto active = active_jobs(ws, "(scheduled)");
        most_at_once = std::max(most_at_once, active.size());
        synced.insert(active.begin(), active.end());
        return synced.size() == 4 && active.empty();
      },
      kBound));
  CHECK(most_at_once == 1);
}

TEST_CASE("workspace: reading a token answers while every network worker waits on a silent host") {
  TempDir dir;
  DataLayout layout{dir.path};
  SilentServer silent;
  for (const char* name : {"s1", "s2", "s3", "s4", "s5"}) {
    accounts::Account a = local_account(name, silent.port());
    a.timeout_s = 8;  // long enough to be seen holding a worker; Cancel ends each after its step
    add_account(layout, a);
  }
  add_account(layout, never_signed_in("oauth"));
  Workspace ws(layout, {});
  ws.start();
  REQUIRE(frames_until(
      ws, [&] { return ws.view().store_ready && ws.view().accounts.size() == 6; }, kBound));
  for (const char* name : {"s1", "s2", "s3", "s4", "s5"}) ws.apply(cmd::RunChecks{name});
  // Every network worker is held by a check waiting on the silent host (the fifth queues).
  REQUIRE(frames_until(
      ws,
      [&] {
        int running = 0;
        for (const jobs::JobSnapshot& j : ws.view().jobs)
          if (j.state == jobs::JobState::running && j.name.starts_with("Check ")) ++running;
        return running == 4;
      },
      kBound));
  ws.apply(cmd::SelectAccount{"oauth"});
  REQUIRE(frames_until(
      ws, [&] { return ws.view().token.status.has_value() || ws.view().token.load_error.has_value(); }, kBound));
  CHECK(ws.view().token.status.has_value());
  CHECK_FALSE(ws.view().token.status->signed_in);
  for (const char* name : {"s1", "s2", "s3", "s4"}) CHECK(ws.view().check(name)->running);
  for (const char* name : {"s1", "s2", "s3", "s4", "s5"}) ws.apply(cmd::CancelChecks{name});
}

}  // namespace md
