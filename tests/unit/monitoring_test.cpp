// core/monitoring: the Prometheus exposition (escaping, numbers, families), the account metrics from
// a real store with an injected clock, the Nagios range syntax and status line, the listen address
// rule and the metrics server on 127.0.0.1. No assertion depends on the wall clock.
#include <doctest/doctest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <thread>

#include "accounts/repository.h"
#include "diagnostics/last_check.h"
#include "monitoring/account_metrics.h"
#include "monitoring/exposition.h"
#include "monitoring/metrics_server.h"
#include "monitoring/nagios.h"
#include "monitoring/watcher.h"
#include "store/schema.h"
#include "sync/message_store.h"
#include "sync/sync_status.h"
#include "temp_dir.h"
#include "util/time.h"
#include "vault/vault.h"

using namespace md;
using namespace md::monitoring;
using namespace std::chrono_literals;
using std::chrono::system_clock;

namespace {

system_clock::time_point t0() {
  return *util::parse_iso8601("2026-11-29T10:00:00Z");  // 1795946400
}
constexpr const char* kT0 = "1795946400";

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.starts_with(line + "\n");
}

diagnostics::StepResult step(const char* id, diagnostics::StepStatus status, const char* code = nullptr) {
  diagnostics::StepResult s;
  s.id = id;
  s.title = std::string("title of ") + id;
  s.status = status;
  s.duration_ms = 250;
  if (code) s.failure = diagnostics::explain(Failure{code, "detail"});
  return s;
}

}  // namespace

TEST_CASE("monitoring: the exposition escapes label values and help, and writes numbers as Prometheus reads them") {
  CHECK(escape_label_value("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
  CHECK(escape_help("one\\two\nthree \"quoted\"") == "one\\\\two\\nthree \"quoted\"");
  CHECK(format_value(0) == "0");
  CHECK(format_value(-3) == "-3");
  CHECK(format_value(1795946400) == "1795946400");
  CHECK(format_value(4294967295.0) == "4294967295");
  CHECK(format_value(0.25) == "0.25");
  CHECK(format_value(0.56) == "0.56");
  CHECK(format_value(0.1 + 0.2) == "0.30000000000000004");
  CHECK(format_value(1e-7) == "1e-07");
  CHECK(format_value(std::nan("")) == "NaN");
  CHECK(format_value(HUGE_VAL) == "+Inf");
  CHECK(format_value(-HUGE_VAL) == "-Inf");

  std::vector<MetricFamily> f = {
      {"x_seconds", "Help", MetricType::gauge, {{{{"account", "a\"1"}}, 2}, {{{"account", "b"}}, 3}}},
      {"empty", "Never written", MetricType::gauge, {}},
      {"y_total", "Counted", MetricType::counter, {{{}, 7}}}};
  CHECK(render(f) ==
        "# HELP x_seconds Help\n# TYPE x_seconds gauge\nx_seconds{account=\"a\\\"1\"} 2\nx_seconds{account=\"b\"} 3\n"
        "# HELP y_total Counted\n# TYPE y_total counter\ny_total 7\n");
}

TEST_CASE("monitoring: account metrics from hand-made snapshots, seconds left counted from the given clock") {
  AccountSnapshot a;
  a.account = "front-desk";
  a.provider = "microsoft";
  a.protocol = "imap";
  a.auth = "oauth2";
  tokens::TokenStatus t;
  t.signed_in = true;
  t.expires_at = t0() + 1800s;
  t.refresh_token_saved = true;
  t.refreshable = false;
  t.last_error = Failure{"oauth.invalid_grant", "AADSTS70008"};
  a.token = t;
  diagnostics::CheckReport r;
  r.account = a.account;
  r.started_at = t0() - 60s;
  r.steps = {step("imap.dns", diagnostics::StepStatus::pass), step("imap.tls", diagnostics::StepStatus::warn),
             step("imap.auth", diagnostics::StepStatus::fail, "auth.token_rejected"),
             step("imap.mailbox", diagnostics::StepStatus::skip)};
  a.last_check = r;
  sync::SyncStatus s;
  s.protocol = accounts::Protocol::imap;
  s.state = sync::MailboxState{};
  s.state->uidvalidity = 1700000000;
  s.state->last_uid = 4242;
  s.state->last_sync_at = "2026-11-29T09:30:00Z";
  s.state->last_sync_result = "ok";
  s.state->last_sync_detail = "downloaded 17 message(s), 123456 bytes";
  s.stored = {4000, 28000000};
  s.last_reset = sync::LastReset{"admin", "2026-11-01T08:00:00.000Z", "password"};
  a.sync = s;
  a.counter_resets = 2;

  const std::string text = exposition({a}, t0());
  const std::string l = "account=\"front-desk\",provider=\"microsoft\",protocol=\"imap\"";
  CHECK(has_line(text, "maildoctor_accounts 1"));
  CHECK(has_line(text, "maildoctor_account_info{" + l + ",auth=\"oauth2\"} 1"));
  CHECK(has_line(text, "maildoctor_access_token_remaining_seconds{" + l + "} 1800"));
  CHECK(has_line(text, "maildoctor_access_token_expiry_timestamp_seconds{" + l + "} 1795948200"));
  CHECK(has_line(text, "maildoctor_token_refreshable{" + l + "} 0"));
  CHECK(has_line(text, "maildoctor_token_refresh_error{" + l + ",code=\"oauth.invalid_grant\"} 1"));
  CHECK(has_line(text, "maildoctor_check_success{" + l + ",step=\"imap.auth\",code=\"auth.token_rejected\"} 0"));
  CHECK(has_line(text, "maildoctor_check_last_run_timestamp_seconds{" + l + "} 1795946340"));
  CHECK(has_line(text, "maildoctor_check_failed_steps{" + l + "} 1"));
  CHECK(has_line(text, "maildoctor_check_warning_steps{" + l + "} 1"));
  CHECK(has_line(text, "maildoctor_check_duration_seconds{" + l + "} 1"));
  CHECK(has_line(text, "maildoctor_sync_success{" + l + ",result=\"ok\"} 1"));
  CHECK(has_line(text, "maildoctor_sync_last_run_timestamp_seconds{" + l + "} 1795944600"));
  CHECK(has_line(text, "maildoctor_sync_last_downloaded_messages{" + l + "} 17"));
  CHECK(has_line(text, "maildoctor_mailbox_uidvalidity{" + l + "} 1700000000"));
  CHECK(has_line(text, "maildoctor_mailbox_last_uid{" + l + "} 4242"));
  CHECK(has_line(text, "maildoctor_stored_messages{" + l + "} 4000"));
  CHECK(has_line(text, "maildoctor_stored_bytes{" + l + "} 28000000"));
  CHECK(has_line(text, "maildoctor_mailbox_last_reset_timestamp_seconds{" + l + "} 1793520000"));
  CHECK(has_line(text, "# TYPE maildoctor_mailbox_resets_total counter"));
  CHECK(has_line(text, "maildoctor_mailbox_resets_total{" + l + "} 2"));
  CHECK(has_line(text, std::string("maildoctor_metrics_generated_timestamp_seconds ") + kT0));
  // An hour later the same snapshot says the token has expired: the clock is the caller's.
  CHECK(has_line(exposition({a}, t0() + 3600s), "maildoctor_access_token_remaining_seconds{" + l + "} 0"));

  // Every family once, its HELP and TYPE before its samples.
  std::set<std::string> typed;
  std::string last_family;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("# TYPE ")) {
      const std::string name = line.substr(7, line.find(' ', 7) - 7);
      CHECK_MESSAGE(typed.insert(name).second, name << " typed twice");
      last_family = name;
    } else if (!line.starts_with("#")) {
      CHECK_MESSAGE(line.starts_with(last_family), line << " outside its family " << last_family);
    }
  }
}

TEST_CASE("monitoring: collect reads a real store through the modules that own each figure") {
  test::TempDir dir;
  auto opened = store::Database::open(dir.path / "md.db", store::schema());
  REQUIRE(opened);
  store::Database& db = opened.value();
  vault::Vault vault = vault::Vault::from_key_for_tests(std::string(32, 'k'));

  accounts::Account oauth;
  oauth.name = "alice";
  oauth.email = "alice@example.test";
  oauth.provider = accounts::Provider::gmail;
  oauth.auth = accounts::AuthMethod::oauth2;
  oauth.oauth.client_id = "client";
  oauth.oauth.token_url = "http://127.0.0.1:9/token";
  oauth.oauth.mail_scope = "mail";
  oauth.imap = {true, "imap.example.test", 993, accounts::Security::tls};
  REQUIRE(accounts::insert_account(db, oauth));
  oauth::TokenSet t;
  t.access_token = "at-secret-1";
  t.refresh_token = "rt-secret-1";
  t.token_type = "Bearer";
  t.obtained_at = t0();
  t.expires_at = t0() + 3599s;
  t.granted_scopes = {"mail"};
  REQUIRE(tokens::save_sign_in(db, vault, oauth, t, "alice@example.test"));

  accounts::Account pw;
  pw.name = "pop";
  pw.email = "pop@example.test";
  pw.auth = accounts::AuthMethod::password;
  pw.pop3 = {true, "pop.example.test", 995, accounts::Security::tls};
  REQUIRE(accounts::insert_account(db, pw));

  diagnostics::CheckReport r;
  r.account = "alice";
  r.started_at = t0();
  r.steps = {step("imap.dns", diagnostics::StepStatus::pass)};
  diagnostics::save_last_check(db, r);
  REQUIRE(sync::record_sync_result(db, "pop", accounts::Protocol::pop3, sync::kInbox, "sync.busy", "held by pid 7",
                                   t0() + 10s));

  auto snapshots = collect(db);
  REQUIRE(snapshots);
  REQUIRE(snapshots.value().size() == 2);
  const std::string text = exposition(snapshots.value(), t0() + 599s);
  const std::string a = "account=\"alice\",provider=\"gmail\",protocol=\"imap\"";
  const std::string p = "account=\"pop\",provider=\"custom\",protocol=\"pop3\"";
  CHECK(has_line(text, "maildoctor_access_token_remaining_seconds{" + a + "} 3000"));
  CHECK(has_line(text, "maildoctor_token_refreshable{" + a + "} 1"));
  CHECK(has_line(text, "maildoctor_token_refresh_error{" + a + ",code=\"\"} 0"));
  CHECK(has_line(text, "maildoctor_check_success{" + a + ",step=\"\",code=\"\"} 1"));
  CHECK(has_line(text, std::string("maildoctor_check_last_run_timestamp_seconds{") + a + "} " + kT0));
  CHECK(has_line(text, "maildoctor_sync_success{" + p + ",result=\"sync.busy\"} 0"));
  CHECK(has_line(text, "maildoctor_sync_last_run_timestamp_seconds{" + p + "} 1795946410"));
  CHECK(has_line(text, "maildoctor_mailbox_pop3_downloaded_messages{" + p + "} 0"));
  CHECK(has_line(text, "maildoctor_mailbox_resets_total{" + p + "} 0"));
  CHECK(text.find("maildoctor_token_signed_in{" + p) == std::string::npos);  // no token for a password
  CHECK(text.find("secret") == std::string::npos);

  // The last checks unreadable: a store failure comes back, never an exception.
  auto stored = diagnostics::load_last_check(db, "alice");
  REQUIRE(stored);
  REQUIRE(stored.value());
  CHECK(diagnostics::parse_check_report(*stored.value()));
  db.exec("DROP TABLE settings");
  auto gone = diagnostics::load_last_check(db, "alice");
  REQUIRE_FALSE(gone);
  CHECK(gone.failure().code.starts_with("store."));
  auto broken = collect(db);
  REQUIRE_FALSE(broken);
  CHECK(broken.failure().code.starts_with("store."));
}

TEST_CASE("monitoring: the downloaded count comes back from what run_sync records") {
  sync::MailboxState s;
  s.last_sync_result = "ok";
  s.last_sync_detail = "downloaded 12 message(s), 3400 bytes; UIDVALIDITY changed from 1 to 2";
  CHECK(sync::last_sync_downloaded(s) == 12);
  s.last_sync_detail = "downloaded 0 message(s), 0 bytes";
  CHECK(sync::last_sync_downloaded(s) == 0);
  s.last_sync_result = "sync.busy";
  CHECK_FALSE(sync::last_sync_downloaded(s));
  s.last_sync_result = "ok";
  s.last_sync_detail = "something else";
  CHECK_FALSE(sync::last_sync_downloaded(s));
}

TEST_CASE("nagios: the range syntax of the Monitoring Plugins guidelines") {
  auto r = [](const char* text) { return parse_range(text, "--warn-token-expiry"); };
  // 10: alert outside 0..10
  REQUIRE(r("10"));
  CHECK(r("10").value().alerts(-1));
  CHECK_FALSE(r("10").value().alerts(0));
  CHECK_FALSE(r("10").value().alerts(10));
  CHECK(r("10").value().alerts(11));
  // 10: alert below 10
  REQUIRE(r("10:"));
  CHECK(r("10:").value().alerts(9.5));
  CHECK_FALSE(r("10:").value().alerts(10));
  CHECK_FALSE(r("10:").value().alerts(1e12));
  // ~:10 alert above 10
  REQUIRE(r("~:10"));
  CHECK_FALSE(r("~:10").value().alerts(-1e12));
  CHECK_FALSE(r("~:10").value().alerts(10));
  CHECK(r("~:10").value().alerts(10.5));
  // 10:20 alert outside
  REQUIRE(r("10:20"));
  CHECK(r("10:20").value().alerts(9));
  CHECK_FALSE(r("10:20").value().alerts(10));
  CHECK_FALSE(r("10:20").value().alerts(20));
  CHECK(r("10:20").value().alerts(21));
  // @10:20 alert inside, inclusive
  REQUIRE(r("@10:20"));
  CHECK_FALSE(r("@10:20").value().alerts(9));
  CHECK(r("@10:20").value().alerts(10));
  CHECK(r("@10:20").value().alerts(20));
  CHECK_FALSE(r("@10:20").value().alerts(21));
  REQUIRE(r("-5.5:+3.25"));
  CHECK(r("-5.5:+3.25").value().alerts(-6));
  CHECK(r("@~:0").value().alerts(-1));
  CHECK(r("@~:0").value().alerts(0));
  CHECK_FALSE(r("@~:0").value().alerts(1));
  for (const char* bad : {"", "@", "abc", "20:10", "1:2:3", "~", "10:x", "x:10", "inf", "nan:", "1e999"}) {
    INFO(bad);
    auto b = r(bad);
    REQUIRE_FALSE(b);
    CHECK(b.failure().code == "usage");
    CHECK(b.failure().detail.find("--warn-token-expiry") != std::string::npos);
  }
  CHECK(r("20:10").failure().detail.find("start 20 is above end 10") != std::string::npos);
}

TEST_CASE("nagios: performance data and the status line follow the guidelines' format") {
  CHECK(format_perfdata({"token_seconds_left", 3000, "s", "600:", "120:", 0, std::nullopt}) ==
        "'token_seconds_left'=3000s;600:;120:;0");
  CHECK(format_perfdata({"failed_steps", 0, "", "", "", 0, 7}) == "'failed_steps'=0;;;0;7");
  CHECK(format_perfdata({"x", 0.5, "s", "", "", std::nullopt, std::nullopt}) == "'x'=0.5s");
  CHECK(format_perfdata({"it's=odd", 1, "", "", "", std::nullopt, std::nullopt}) == "'it_s_odd'=1");
  PluginResult r{PluginState::critical, "two\nlines | and a pipe", {{"a", 1, "", "", "", std::nullopt, std::nullopt}}};
  CHECK(format_status_line(r) == "MAILDOCTOR CRITICAL - two lines / and a pipe | 'a'=1\n");
  CHECK(format_status_line(unknown("bad")) == "MAILDOCTOR UNKNOWN - bad\n");
}

TEST_CASE("nagios: the state from the check report, the sign-in and the token thresholds") {
  diagnostics::CheckReport green;
  green.account = "alice";
  green.started_at = t0();
  green.steps = {step("imap.dns", diagnostics::StepStatus::pass), step("oauth.token", diagnostics::StepStatus::pass)};
  tokens::TokenStatus t;
  t.signed_in = true;
  t.refresh_token_saved = true;
  t.refreshable = true;
  t.expires_at = t0() + 900s;
  TokenThresholds th;
  th.warn = parse_range("1200:", "w").value();
  th.crit = parse_range("300:", "c").value();

  auto ok = evaluate(green, t, {}, t0());
  CHECK(ok.state == PluginState::ok);
  CHECK(format_status_line(ok) ==
        "MAILDOCTOR OK - alice: 2 steps passed, access token valid for 900 s | 'token_seconds_left'=900s;;;0 "
        "'failed_steps'=0;;;0;2 'warning_steps'=0;;;0;2 'check_duration'=0.5s;;;0\n");

  auto warn = evaluate(green, t, th, t0());
  CHECK(warn.state == PluginState::warning);
  CHECK(warn.reason == "alice: access token expires in 900 s (warning 1200:)");
  CHECK(format_perfdata(warn.perfdata[0]) == "'token_seconds_left'=900s;1200:;300:;0");

  auto crit = evaluate(green, t, th, t0() + 700s);
  CHECK(crit.state == PluginState::critical);
  CHECK(crit.reason == "alice: access token expires in 200 s (critical 300:)");

  diagnostics::CheckReport red = green;
  red.steps.push_back(step("imap.auth", diagnostics::StepStatus::fail, "auth.token_rejected"));
  red.steps.push_back(step("smtp.auth", diagnostics::StepStatus::fail, "auth.smtp_auth_disabled"));
  auto failed = evaluate(red, t, th, t0());
  CHECK(failed.state == PluginState::critical);
  CHECK(failed.reason.starts_with("alice: imap.auth: "));
  CHECK(failed.reason.find("[auth.token_rejected] (2 steps failed)") != std::string::npos);

  tokens::TokenStatus dead = t;
  dead.refreshable = false;
  dead.last_error = Failure{"oauth.invalid_grant", "refused"};
  auto d = evaluate(green, dead, {}, t0());
  CHECK(d.state == PluginState::critical);
  CHECK(d.reason == "alice: the sign-in cannot renew itself [oauth.invalid_grant]: sign in again");

  diagnostics::CheckReport amber = green;
  amber.steps.push_back(step("clock", diagnostics::StepStatus::warn, "clock.skew"));
  auto w = evaluate(amber, std::nullopt, th, t0());  // a password account: no token thresholds
  CHECK(w.state == PluginState::warning);
  CHECK(w.reason.starts_with("alice: clock: "));
  CHECK(w.perfdata.size() == 3);
}

TEST_CASE("serve: the metrics listen on loopback unless remote access is asked for") {
  CHECK(is_loopback("127.0.0.1"));
  CHECK(is_loopback("127.1.2.3"));
  CHECK(is_loopback("::1"));
  CHECK(is_loopback("localhost"));
  CHECK_FALSE(is_loopback("0.0.0.0"));
  CHECK_FALSE(is_loopback("::"));
  CHECK_FALSE(is_loopback("127.0.0.256"));
  CHECK_FALSE(is_loopback("127.0.0"));
  CHECK_FALSE(is_loopback("192.168.1.10"));
  CHECK_FALSE(is_loopback("127.example.test"));

  auto a = parse_listen_address("127.0.0.1:9860", false);
  REQUIRE(a);
  CHECK(a.value().host == "127.0.0.1");
  CHECK(a.value().port == 9860);
  CHECK(parse_listen_address("9860", false).value().host == "127.0.0.1");
  CHECK(parse_listen_address("[::1]:9860", false).value().host == "::1");
  auto remote = parse_listen_address("0.0.0.0:9860", false);
  REQUIRE_FALSE(remote);
  CHECK(remote.failure().code == "usage");
  CHECK(remote.failure().detail.find("--allow-remote") != std::string::npos);
  CHECK(parse_listen_address("0.0.0.0:9860", true));
  CHECK(parse_listen_address("[::]:9860", true).value().host == "::");
  for (const char* bad : {"127.0.0.1:", "127.0.0.1:70000", ":9860", "::1:9860", "[::1]9860", "127.0.0.1:x"}) {
    INFO(bad);
    CHECK_FALSE(parse_listen_address(bad, true));
  }
}

TEST_CASE("serve: the metrics server answers /metrics on 127.0.0.1, a failed render with 500, and stops") {
  int renders = 0;
  bool broken = false;
  auto server = MetricsServer::start({"127.0.0.1", 0}, [&]() -> Result<std::string> {
    ++renders;
    if (broken) return fail("store.corrupt", "boom");
    return std::string("maildoctor_accounts 0\n");
  });
  REQUIRE(server);
  const int port = server.value()->port();
  CHECK(port > 0);
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(5);
  c.set_read_timeout(5);
  auto res = c.Get("/metrics");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body == "maildoctor_accounts 0\n");
  CHECK(res->get_header_value("Content-Type").starts_with("text/plain; version=0.0.4"));
  CHECK(c.Get("/nothing")->status == 404);
  broken = true;
  auto failed = c.Get("/metrics");
  REQUIRE(failed);
  CHECK(failed->status == 500);
  CHECK(failed->body.find("store.corrupt") != std::string::npos);
  CHECK(renders == 2);

  // The same port again is taken: a clear failure, not a crash.
  auto second = MetricsServer::start({"127.0.0.1", port}, [] { return Result<std::string>(std::string()); });
  REQUIRE_FALSE(second);
  CHECK(second.failure().code == "serve.listen_failed");
  server.value().reset();  // stops and joins
}

TEST_CASE("monitoring: the Grafana dashboard has a panel and the user guide a line for every metric") {
  AccountSnapshot a;
  a.account = "x";
  a.provider = "gmail";
  a.protocol = "pop3";
  a.auth = "oauth2";
  tokens::TokenStatus t;
  t.signed_in = t.refresh_token_saved = true;
  t.expires_at = t.last_refresh_at = t.refresh_issued_at = t0();
  a.token = t;
  a.last_check = diagnostics::CheckReport{"x", t0(), {}};
  sync::SyncStatus s;
  s.protocol = accounts::Protocol::pop3;
  s.state = sync::MailboxState{accounts::Protocol::imap,          "INBOX", 1, 2, "2026-11-29T10:00:00Z", "ok",
                               "downloaded 1 message(s), 2 bytes"};
  s.last_reset = sync::LastReset{"admin", "2026-11-29T10:00:00Z", "password"};
  a.sync = s;
  auto read = [](const char* relative) {
    std::ifstream f(std::filesystem::path(MAILDOCTOR_SOURCE_DIR) / relative);
    REQUIRE(f);
    return std::string(std::istreambuf_iterator<char>(f), {});
  };
  const std::string dashboard = read("docs/examples/maildoctor-dashboard.json");
  const std::string guide = read("docs/user-guide.md");
  std::istringstream in(exposition({a}, t0()));
  int families = 0;
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("# TYPE ")) continue;
    const std::string name = line.substr(7, line.find(' ', 7) - 7);
    ++families;
    CHECK_MESSAGE(dashboard.find(name) != std::string::npos, "no dashboard panel for " << name);
    CHECK_MESSAGE(guide.find("`" + name + "`") != std::string::npos, "the user guide does not list " << name);
  }
  CHECK(families == 26);
}

TEST_CASE("serve: the headless watcher opens the data dir, runs its frames and stops when asked") {
  test::TempDir dir;
  const DataLayout layout{dir.path / "data"};
  std::atomic<int> asked{0};
  {
    Watcher w(layout, BackgroundSchedule{1, 1, false});
    std::thread stopper([&] {
      // Bounded: the store appears once the first job (the account list) ran on a worker, and the
      // loop has asked its stop predicate at least once (a stop before that skips the question).
      for (int i = 0; i < 3000 && !(std::filesystem::exists(layout.database()) && asked > 0); ++i)
        std::this_thread::sleep_for(10ms);
      w.request_stop();
    });
    w.run([&] { return ++asked < 0; }, 20ms);  // returns once asked: a run that never stops hangs here
    stopper.join();
  }
  CHECK(std::filesystem::exists(layout.database()));
  CHECK(asked > 0);
}
