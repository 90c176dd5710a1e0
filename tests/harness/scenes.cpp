#include "scenes.h"

#include <map>

#include "diagnostics/catalogue.h"
#include "util/time.h"

namespace md::panels {
namespace {

using diagnostics::StepResult;
using diagnostics::StepStatus;
using std::chrono::seconds;
using std::chrono::system_clock;

StepResult step(std::string id, std::string title, StepStatus status, long long ms, std::string detail = {}) {
  StepResult s;
  s.id = std::move(id);
  s.title = std::move(title);
  s.status = status;
  s.duration_ms = ms;
  s.detail = std::move(detail);
  return s;
}

StepResult failed(std::string id, std::string title, long long ms, const std::string& code, std::string detail,
                  std::vector<std::string> evidence) {
  StepResult s = step(std::move(id), std::move(title), StepStatus::fail, ms, detail);
  s.failure = diagnostics::explain(Failure{code, std::move(detail)});
  s.evidence = std::move(evidence);
  return s;
}

// The ladder of a healthy Gmail account, in the order run_ladder produces it.
std::vector<StepResult> green_ladder() {
  return {
      step("oauth.endpoints", "OAuth sign-in and token endpoints reachable", StepStatus::pass, 212,
           "accounts.google.com and oauth2.googleapis.com answered"),
      step("oauth.token", "Access token for alice@example.com", StepStatus::pass, 3,
           "valid for 42 min; scopes include https://mail.google.com/"),
      step("clock", "Local clock against the server's", StepStatus::pass, 0, "1 s behind the server"),
      step("imap.dns", "Look up imap.gmail.com", StepStatus::pass, 18, "imap.gmail.com → 2 address(es)"),
      step("imap.tcp", "Connect to imap.gmail.com:993", StepStatus::pass, 24, "connected to 142.250.102.108"),
      step("imap.tls", "TLS handshake with imap.gmail.com:993", StepStatus::pass, 61,
           "TLSv1.3, CN=imap.gmail.com, issued by GTS CA 1C3, valid until 2027-01-20"),
      step("imap.greeting", "IMAP greeting", StepStatus::pass, 40, "* OK Gimap ready"),
      step("imap.capabilities", "IMAP capabilities", StepStatus::pass, 38, "AUTH=XOAUTH2 AUTH=OAUTHBEARER IDLE"),
      step("imap.auth", "Sign in with XOAUTH2", StepStatus::pass, 310, "A2 OK alice@example.com authenticated"),
      step("imap.mailbox", "SELECT INBOX", StepStatus::pass, 92, "UIDVALIDITY 1 · UIDNEXT 48213 · EXISTS 48102"),
      step("smtp.dns", "Look up smtp.gmail.com", StepStatus::pass, 12, "smtp.gmail.com → 2 address(es)"),
      step("smtp.tcp", "Connect to smtp.gmail.com:465", StepStatus::pass, 22, "connected to 142.250.27.108"),
      step("smtp.tls", "TLS handshake with smtp.gmail.com:465", StepStatus::pass, 58, "TLSv1.3, CN=smtp.gmail.com"),
      step("smtp.greeting", "SMTP greeting", StepStatus::pass, 35, "220 smtp.gmail.com ESMTP ready"),
      step("smtp.capabilities", "SMTP capabilities", StepStatus::pass, 33, "AUTH LOGIN PLAIN XOAUTH2 OAUTHBEARER"),
      step("smtp.auth", "Sign in with XOAUTH2", StepStatus::pass, 280, "235 2.7.0 Accepted"),
  };
}

// A complete setup form, as a user would have typed it.
accounts::AccountDraft setup_draft(accounts::Provider provider) {
  accounts::AccountDraft d = accounts::new_draft(provider);
  d.email = provider == accounts::Provider::gmail ? "frontdesk@example.com" : "reception@contoso.example";
  d.name = provider == accounts::Provider::gmail ? "frontdesk" : "reception";
  d.client_id = provider == accounts::Provider::gmail ? "1234.apps.googleusercontent.com"
                                                      : "5f0c9a7e-1b2c-4d3e-8f90-a1b2c3d4e5f6";
  return d;
}

// bob: a firewall doing TLS inspection. The handshake fails; later steps are skipped.
std::vector<StepResult> failed_ladder() {
  std::vector<StepResult> s = {
      step("oauth.endpoints", "OAuth sign-in and token endpoints reachable", StepStatus::pass, 301),
      step("oauth.token", "Access token for bob@contoso.example", StepStatus::pass, 4, "valid for 51 min"),
      step("clock", "Local clock against the server's", StepStatus::warn, 0,
           "3 min 10 s behind the server: sign-ins may start failing beyond 5 min"),
      step("imap.dns", "Look up outlook.office365.com", StepStatus::pass, 21, "outlook.office365.com → 4 address(es)"),
      step("imap.tcp", "Connect to outlook.office365.com:993", StepStatus::pass, 30, "connected to 52.97.146.162"),
      failed("imap.tls", "TLS handshake with outlook.office365.com:993", 74, "tls.cert_untrusted",
             "certificate verify failed: unable to get local issuer certificate",
             {"subject: CN=outlook.office365.com", "issuer: CN=Contoso Firewall Inspection CA, O=Contoso IT",
              "not after: 2027-03-01T00:00:00Z", "verify result: 20 (unable to get local issuer certificate)"}),
  };
  for (const char* id : {"imap.greeting", "imap.capabilities", "imap.auth", "imap.mailbox"})
    s.push_back(step(id, std::string(id).substr(5) + " (IMAP)", StepStatus::skip, 0,
                     "skipped: imap.tls failed (The server's certificate is not trusted)"));
  s[2].failure = diagnostics::explain(Failure{"clock.skew", "local clock 190 s behind the server's Date header"});
  s[2].evidence = {"Date: Sun, 29 Nov 2026 10:03:10 GMT", "local: 2026-11-29T10:00:00Z"};
  return s;
}

CheckRun make_run(std::string subject, std::vector<StepResult> steps, system_clock::time_point now) {
  CheckRun r;
  r.subject = std::move(subject);
  r.steps = std::move(steps);
  r.started_at = now - seconds(3);
  r.finished_at = now - seconds(1);
  return r;
}

tokens::TokenStatus token_status(system_clock::time_point now, seconds left) {
  tokens::TokenStatus s;
  s.signed_in = true;
  s.refresh_token_saved = true;
  s.refreshable = true;
  s.expires_at = now + left;
  s.identity = "alice@example.com";
  s.scopes = {"https://mail.google.com/", "openid", "email"};
  s.last_refresh_at = now - seconds(3600) + left;
  s.refresh_issued_at = now - seconds(12 * 86400 + 7200);
  return s;
}

AccountSummary account_summary(std::string name, std::string email, std::string provider, bool oauth, bool device_code,
                               Health health) {
  AccountSummary a;
  a.name = std::move(name);
  a.email = std::move(email);
  a.provider = std::move(provider);
  a.oauth = oauth;
  a.device_code = device_code;
  a.health = health;
  return a;
}

// Where the user's data folder is on the system the harness runs on (docs/user-guide.md).
#if defined(_WIN32)
constexpr const char* kDataDir = "C:\\Users\\alice\\AppData\\Roaming\\MailDoctor";
constexpr const char* kKeyFile = "C:\\Users\\alice\\AppData\\Roaming\\MailDoctor\\vault.key";
#else
constexpr const char* kDataDir = "/home/alice/.local/share/maildoctor";
constexpr const char* kKeyFile = "/home/alice/.local/share/maildoctor/vault.key";
#endif

void base(Scene& s, system_clock::time_point now) {
  s.view.data_dir = kDataDir;
  s.view.store_ready = true;
  s.view.now = now;
  s.view.accounts = {
      account_summary("alice", "alice@example.com", "gmail", true, false, Health::ok),
      account_summary("bob", "bob@contoso.example", "microsoft", true, true, Health::failed),
      account_summary("front-desk", "desk@practice.example", "custom", false, false, Health::unknown),
  };
  s.view.selected = "alice";
  s.view.token.account = "alice";
  s.view.token.status = token_status(now, seconds(42 * 60 + 17));
  s.view.log = &s.log;
  s.log.account = "alice";
  s.ui.selected_first = true;
  s.view.admin.has_admins = true;
  s.view.sync.account = "alice";
}

// alice's INBOX after a night of syncs: 48,102 messages stored under UIDVALIDITY 1.
sync::SyncStatus sync_status() {
  sync::SyncStatus st;
  st.protocol = accounts::Protocol::imap;
  sync::MailboxState m;
  m.uidvalidity = 1;
  m.last_uid = 48212;
  m.last_sync_at = "2026-11-29T06:40:12Z";
  m.last_sync_result = "ok";
  m.last_sync_detail = "downloaded 37 new message(s)";
  st.state = m;
  st.stored = {48102, 3'912'044'137};
  st.stored_all_protocols = st.stored;
  st.last_reset = sync::LastReset{"carol", "2026-10-02T09:15:40Z", "password"};
  return st;
}

sync::CounterReset reset_preview() {
  sync::CounterReset r;
  r.protocol = accounts::Protocol::imap;
  r.old_uidvalidity = 1;
  r.old_last_uid = 48212;
  r.will_download = 48102;
  return r;
}

// The setup tab with a complete form of `provider`, as a user would have typed it.
void setup_base(Scene& s, system_clock::time_point now, accounts::Provider provider) {
  base(s, now);
  s.ui.setup.provider_chosen = true;
  s.ui.setup.draft = setup_draft(provider);
  s.ui.bring_to_front = Tab::setup;
}

// The sync tab with the reset flow at `step`, carol signed in to the window.
void reset_scene(Scene& s, system_clock::time_point now, ResetStep step) {
  base(s, now);
  s.view.sync.status = sync_status();
  s.view.admin.session = admin::AdminSession{"carol", now - seconds(600)};
  s.view.reset.account = "alice";
  s.view.reset.stage = ResetStage::ready;
  s.view.reset.preview = reset_preview();
  s.ui.sync.reset.step = step;
  s.ui.sync.reset.account = "alice";
  std::snprintf(s.ui.sync.reset.user, sizeof s.ui.sync.reset.user, "carol");
  if (step != ResetStep::sign_in)
    std::snprintf(s.ui.sync.reset.password, sizeof s.ui.sync.reset.password, "not-the-real-one");
  s.ui.bring_to_front = Tab::sync;
}

using Builder = void (*)(Scene&, system_clock::time_point);

const std::map<std::string, std::pair<std::string, Builder>, std::less<>>& builders() {
  static const std::map<std::string, std::pair<std::string, Builder>, std::less<>> kScenes = {
      {"empty",
       {"First start: no accounts yet",
        [](Scene& s, system_clock::time_point now) {
          s.view.store_ready = true;
          s.view.now = now;
          s.view.data_dir = kDataDir;
          s.ui.bring_to_front = Tab::diagnostics;
        }}},
      {"store-error",
       {"The database cannot be read: the status line says why",
        [](Scene& s, system_clock::time_point now) {
          s.view.now = now;
          s.view.data_dir = kDataDir;
          s.view.store_error = Failure{"store.corrupt", "maildoctor.db: file is not a database"};
        }}},
      {"checks-idle",
       {"Diagnostics before any run",
        [](Scene& s, system_clock::time_point now) {
          base(s, now);
          s.ui.bring_to_front = Tab::diagnostics;
        }}},
      {"checks-running",
       {"Checks running: steps appear as they finish",
        [](Scene& s, system_clock::time_point now) {
          base(s, now);
          CheckRun r = make_run("alice", green_ladder(), now);
          r.steps.resize(7);
          r.running = true;
          r.finished_at.reset();
          s.view.checks["alice"] = r;
          s.ui.bring_to_front = Tab::diagnostics;
        }}},
      {"checks-cancelling",
       {"A silent host: cancelling waits for the current step, the window keeps drawing",
        [](Scene& s, system_clock::time_point now) {
          base(s, now);
          CheckRun r = make_run("alice", green_ladder(), now);
          r.steps.resize(5);
          r.running = true;
          r.cancelling = true;
          r.started_at = now - seconds(14);
          s.view.checks["alice"] = r;
          s.ui.bring_to_front = Tab::diagnostics;
        }}},
      {"checks-green",
       {"All-green diagnostics",
        [](Scene& s, system_clock::time_point now) {
          base(s, now);
          s.view.checks["alice"] = make_run("alice", green_ladder(), now);
          s.ui.bring_to_front = Tab::diagnostics;
        }}},
      {"checks-report-saved",
       {"All green, and the support report saved with its path to copy",
        [](Scene& s, system_clock::time_point now) {
          base(s, now);
          s.view.checks["alice"] = make_run("alice", green_ladder(), now);
          s.view.report = {"alice", false, s.view.data_dir + "/reports/alice-report-20261129-101500.html",
                           std::nullopt};
          s.ui.bring_to_front = Tab::diagnostics;
        }}},
      {"checks-failed",
       {"A red cross opened: failure code, reason, remedy and evidence",
        [](Scene& s, system_clock::time_point now) {
          base(s, now);
          s.view.selected = "bob";
          s.view.token.account = "bob";
          s.view.checks["bob"] = make_run("bob", failed_ladder(), now);
          s.ui.diagnostics.opened = {"imap.tls"};
          s.ui.bring_to_front = Tab::diagnostics;
        }}},
      {"checks-error",
       {"Checks that could not start",
        [](Scene& s, system_clock::time_point now) {
          base(s, now);
          CheckRun r = make_run("alice", {}, now);
          r.error = Failure{"vault.key_insecure", std::string(kKeyFile) + " is readable by others"};
          s.view.checks["alice"] = r;
          s.ui.bring_to_front = Tab::diagnostics;
        }}},
      {"quick-test",
       {"Quick connectivity test, no account",
        [](Scene& s, system_clock::time_point now) {
          base(s, now);
          std::vector<StepResult> steps = {
              step("proxy", "HTTP proxy", StepStatus::pass, 0, "no proxy configured"),
              step("sign-in.dns", "Look up accounts.google.com (sign-in)", StepStatus::pass, 15),
              step("sign-in.tcp", "Connect to accounts.google.com:443", StepStatus::pass, 21),
              step("sign-in.tls", "TLS handshake with accounts.google.com:443", StepStatus::pass, 55),
              step("imap.dns", "Look up imap.gmail.com (imap)", StepStatus::pass, 14),
              step("imap.tcp", "Connect to imap.gmail.com:993", StepStatus::pass, 10003),
          };
          steps.back() = failed("imap.tcp", "Connect to imap.gmail.com:993", 10003, "tcp.timeout",
                                "no answer from 142.250.102.108:993 within 10 s", {"SYN sent, no SYN-ACK"});
          steps.push_back(step("imap.tls", "TLS handshake with imap.gmail.com:993", StepStatus::skip, 0,
                               "skipped: imap.tcp failed"));
          CheckRun r = make_run("gmail", std::move(steps), now);
          r.quick = true;
          s.view.checks[quick_check_key(accounts::Provider::gmail)] = r;
          s.ui.diagnostics.subject = quick_check_key(accounts::Provider::gmail);
          s.ui.diagnostics.opened = {"imap.tcp"};
          s.ui.bring_to_front = Tab::diagnostics;
        }}},
      {"token-countdown",
       {"Token countdown ticking each second",
        [](Scene& s, system_clock::time_point now) {
          base(s, now);
          s.ui.bring_to_front = Tab::token;
        }}},
      {"token-loading",
       {"Token being read",
        [](Scene& s, system_clock::time_point now) {
          base(s, now);
          s.view.token.status.reset();
          s.view.token.loading = true;
          s.ui.bring_to_front = Tab::token;
        }}},
      {"token-expired",
       {"Expired token without a refresh token",
        [](Scene& s, system_clock::time_point now) {
          base(s, now);
          s.view.token.status = token_status(now, seconds(-120));
          s.view.token.status->refresh_token_saved = false;
          s.view.token.status->refreshable = false;
          s.view.accounts[0].health = Health::failed;
          s.ui.token.prompted_for = "alice#0\n";  // the prompt was answered "Later"
          s.ui.bring_to_front = Tab::token;
        }}},
      {"token-reauth-modal",
       {"Refresh failed with oauth.invalid_grant: the re-authentication pop-up",
        [](Scene& s, system_clock::time_point now) {
          base(s, now);
          s.view.token.status = token_status(now, seconds(-30));
          s.view.token.refresh_failure =
              Failure{"oauth.invalid_grant", "Token has been expired or revoked. (error=invalid_grant)"};
          s.view.token.failure_serial = 1;
          s.view.accounts[0].health = Health::failed;
          // Another account's refresh was refused in the background too: the pop-up names both.
          s.view.accounts[1].dead_sign_in =
              Failure{"oauth.invalid_grant", "AADSTS700082: The refresh token has expired due to inactivity."};
          s.view.admin.session = admin::AdminSession{"carol", now - seconds(60)};
          s.ui.bring_to_front = Tab::token;
        }}},
      {"edit-settings",
       {"Edit a saved account: the setup form's fields with its settings, a CA file that does not exist",
        [](Scene& s, system_clock::time_point now) {
          base(s, now);
          accounts::Account a;
          a.name = "front-desk";
          a.email = "desk@practice.example";
          a.auth = accounts::AuthMethod::password;
          a.imap = {true, "mail.practice.example", 993, accounts::Security::tls};
          a.smtp = {true, "mail.practice.example", 587, accounts::Security::starttls};
          a.ca_file = "/etc/ssl/practice-ca.pem";
          s.view.edit.account = "front-desk";
          s.view.edit.stage = AccountEditStage::editing;
          s.view.edit.draft = accounts::draft_from_account(a);
          s.view.edit.failure = Failure{"accounts.invalid", "the CA file /etc/ssl/practice-ca.pem does not exist"};
          s.ui.edit.mode = AccountEditMode::settings;
          s.ui.edit.account = "front-desk";
        }}},
      {"edit-remove-admin",
       {"Remove an account that has a download counter: an admin must confirm",
        [](Scene& s, system_clock::time_point now) {
          base(s, now);
          accounts::Account a;
          a.name = "alice";
          a.email = "alice@example.com";
          s.view.edit.account = "alice";
          s.view.edit.stage = AccountEditStage::editing;
          s.view.edit.draft = accounts::draft_from_account(a);
          s.view.edit.footprint = ops::SyncFootprint{48212, 0, 48102};
          s.ui.edit.mode = AccountEditMode::remove;
          s.ui.edit.account = "alice";
        }}},
      {"interface-scale-150",
       {"Settings > Interface scale at 150 %: the fonts rebuilt larger, the layout scaled with them",
        [](Scene& s, system_clock::time_point now) {
          base(s, now);
          s.view.interface_scale_percent = 150;
          s.view.checks["alice"] = make_run("alice", green_ladder(), now);
          s.ui.bring_to_front = Tab::diagnostics;
        }}},
      {"reauth-other-account",
       {"On the Diagnostics tab: another account's sign-in died in the background; the admin's pop-up names it",
        [](Scene& s, system_clock::time_point now) {
          base(s, now);
          s.view.accounts[1].dead_sign_in =
              Failure{"oauth.invalid_grant", "AADSTS700082: The refresh token has expired due to inactivity."};
          s.view.admin.session = admin::AdminSession{"carol", now - seconds(60)};
          s.ui.bring_to_front = Tab::diagnostics;
        }}},
      {"token-dead-no-admin",
       {"A dead token while no admin is signed in: a banner asks for one",
        [](Scene& s, system_clock::time_point now) {
          base(s, now);
          s.view.token.status = token_status(now, seconds(-30));
          s.view.token.refresh_failure =
              Failure{"oauth.invalid_grant", "Token has been expired or revoked. (error=invalid_grant)"};
          s.view.token.failure_serial = 1;
          s.view.accounts[0].health = Health::failed;
          s.ui.bring_to_front = Tab::token;
        }}},
      {"token-consent",
       {"Re-authenticating: waiting for the browser, with the address to copy",
        [](Scene& s, system_clock::time_point now) {
          base(s, now);
          s.view.token.sign_in.state = ConsentState::waiting;
          s.view.token.sign_in.url =
              "https://accounts.google.com/o/oauth2/v2/auth?response_type=code&client_id=1234.apps.googleusercontent."
              "com&redirect_uri=http%3A%2F%2F127.0.0.1%3A53682%2F&scope=https%3A%2F%2Fmail.google.com%2F+openid+email"
              "&state=Zk3…&code_challenge=…&code_challenge_method=S256&login_hint=alice%40example.com";
          s.ui.bring_to_front = Tab::token;
        }}},
      {"setup-provider",
       {"Add account: choose the provider",
        [](Scene& s, system_clock::time_point now) {
          base(s, now);
          s.ui.bring_to_front = Tab::setup;
        }}},
      {"setup-details",
       {"Setup: Gmail's details pre-filled, problems marked as typed",
        [](Scene& s, system_clock::time_point now) {
          base(s, now);
          s.ui.setup.provider_chosen = true;
          s.ui.setup.draft = accounts::new_draft(accounts::Provider::gmail);
          s.ui.setup.draft.email = "frontdesk.example.com";
          s.ui.setup.draft.name = "frontdesk";
          s.ui.setup.touched = {accounts::DraftField::email, accounts::DraftField::client_id};
          s.ui.bring_to_front = Tab::setup;
        }}},
      {"setup-custom-password",
       {"Setup: another provider, signing in with a password (the default there), servers to enter",
        [](Scene& s, system_clock::time_point now) {
          base(s, now);
          s.ui.setup.provider_chosen = true;
          s.ui.setup.draft = accounts::new_draft(accounts::Provider::custom);
          s.ui.setup.draft.email = "frontdesk@practice.example";
          s.ui.setup.draft.name = "frontdesk";
          s.ui.setup.touched = {accounts::DraftField::email, accounts::DraftField::password};
          s.ui.bring_to_front = Tab::setup;
        }}},
      {"setup-authenticate",
       {"Setup: Authenticate, waiting for the browser with the address to copy",
        [](Scene& s, system_clock::time_point now) {
          setup_base(s, now, accounts::Provider::gmail);
          s.view.setup.sign_in.state = ConsentState::waiting;
          s.view.setup.sign_in.url =
              "https://accounts.google.com/o/oauth2/auth?response_type=code&client_id=1234.apps.googleusercontent.com"
              "&redirect_uri=http%3A%2F%2F127.0.0.1%3A41873%2F&scope=https%3A%2F%2Fmail.google.com%2F+openid+email"
              "&state=q8Lr…&code_challenge=…&code_challenge_method=S256&login_hint=frontdesk%40example.com";
        }}},
      {"setup-device-code",
       {"Setup without a browser: Microsoft's device code, shown large with its link",
        [](Scene& s, system_clock::time_point now) {
          setup_base(s, now, accounts::Provider::microsoft);
          SignInProgress& p = s.view.setup.sign_in;
          p.state = ConsentState::waiting;
          p.mode = SignInMode::device;
          p.user_code = "K7QP-M2XD";
          p.verification_uri = "https://microsoft.com/devicelogin";
          p.code_expires_at = now + seconds(14 * 60 + 32);
        }}},
      {"setup-signed-in",
       {"Setup: signed in, the identity and scope checks passed, ready to save",
        [](Scene& s, system_clock::time_point now) {
          setup_base(s, now, accounts::Provider::gmail);
          SignInProgress& p = s.view.setup.sign_in;
          p.state = ConsentState::succeeded;
          p.identity = "frontdesk@example.com";
          p.mail_scope = "https://mail.google.com/";
          p.granted_scopes = {"https://mail.google.com/", "openid", "email"};
          s.view.setup.signed_in_key = accounts::sign_in_key(s.ui.setup.draft);
        }}},
      {"setup-wrong-account",
       {"Setup: the browser signed in as another Google account",
        [](Scene& s, system_clock::time_point now) {
          setup_base(s, now, accounts::Provider::gmail);
          SignInProgress& p = s.view.setup.sign_in;
          p.state = ConsentState::failed;
          p.failure = Failure{"auth.identity_mismatch",
                              "signed in as private.person@gmail.com, but the account is frontdesk@example.com"};
        }}},
      {"token-password",
       {"A password account has no token",
        [](Scene& s, system_clock::time_point now) {
          base(s, now);
          s.view.selected = "front-desk";
          s.ui.bring_to_front = Tab::token;
        }}},
      {"sync-idle",
       {"Sync: UIDVALIDITY, last synced UID, stored messages, last sync and last reset",
        [](Scene& s, system_clock::time_point now) {
          base(s, now);
          s.view.sync.status = sync_status();
          s.ui.bring_to_front = Tab::sync;
        }}},
      {"sync-progress",
       {"Syncing: progress bar with count, bytes and rate, and Cancel",
        [](Scene& s, system_clock::time_point now) {
          base(s, now);
          s.view.sync.status = sync_status();
          // Just after carol reset the counter: the whole INBOX comes down again.
          s.view.sync.status->state->last_uid = 0;
          s.view.sync.status->last_reset =
              sync::LastReset{"carol", util::format_iso8601(now - seconds(300)), "password"};
          s.view.sync.running = true;
          s.view.sync.progress = {18'450, 48'102, 1'503'117'312, 41.3};
          s.ui.bring_to_front = Tab::sync;
        }}},
      {"reset-sign-in",
       {"Reset Mailbox Counter: the admin sign-in, pre-filled for the signed-in admin",
        [](Scene& s, system_clock::time_point now) { reset_scene(s, now, ResetStep::sign_in); }}},
      {"reset-confirm",
       {"Reset Mailbox Counter: the confirmation says what the next sync downloads",
        [](Scene& s, system_clock::time_point now) { reset_scene(s, now, ResetStep::confirm); }}},
      {"reset-confirm-signed-in",
       {"Reset Mailbox Counter: an admin signed in minutes ago confirms without typing the password",
        [](Scene& s, system_clock::time_point now) {
          reset_scene(s, now, ResetStep::confirm);
          s.view.admin.session = admin::AdminSession{"carol", now - seconds(150)};
          s.ui.sync.reset.by_window_admin = true;
          s.ui.sync.reset.password[0] = '\0';
        }}},
      {"reset-wrong-password",
       {"Reset Mailbox Counter: wrong credentials say why and change nothing",
        [](Scene& s, system_clock::time_point now) {
          reset_scene(s, now, ResetStep::result);
          s.ui.sync.reset.password[0] = '\0';
          s.view.reset.stage = ResetStage::failed;
          s.view.reset.failure =
              Failure{"admin.bad_credentials", "admin sign-in refused: unknown admin or wrong password"};
        }}},
      {"reset-done",
       {"Reset Mailbox Counter: done, with the audit row",
        [](Scene& s, system_clock::time_point now) {
          reset_scene(s, now, ResetStep::result);
          s.ui.sync.reset.password[0] = '\0';
          s.view.reset.stage = ResetStage::done;
          s.view.reset.result = reset_preview();
          s.view.reset.admin = "carol";
          s.view.reset.at = now - seconds(2);
          s.view.sync.status->state->last_uid = 0;
          s.view.sync.status->last_reset = sync::LastReset{"carol", util::format_iso8601(now - seconds(2)), "password"};
        }}},
      {"admin-sign-in",
       {"Admin sign-in from the top bar: a wrong password says why",
        [](Scene& s, system_clock::time_point now) {
          base(s, now);
          s.view.sync.status = sync_status();
          s.view.admin.failure =
              Failure{"admin.bad_credentials", "admin sign-in refused: unknown admin or wrong password"};
          s.view.admin.serial = 1;
          s.ui.admin.form = AdminForm::sign_in;
          std::snprintf(s.ui.admin.user, sizeof s.ui.admin.user, "carol");
          s.ui.bring_to_front = Tab::sync;
        }}},
      {"admin-first-run",
       {"First run: no admin yet, the prompt to create the first admin",
        [](Scene& s, system_clock::time_point now) {
          base(s, now);
          s.view.admin.has_admins = false;
          s.view.sync.status = sync_status();
          s.ui.bring_to_front = Tab::sync;
        }}},
      {"log-empty",
       {"Protocol log before any traffic",
        [](Scene& s, system_clock::time_point now) {
          base(s, now);
          s.ui.bring_to_front = Tab::log;
        }}},
      {"log-100k",
       {"Protocol log with 100,000 lines",
        [](Scene& s, system_clock::time_point now) {
          base(s, now);
          fill_log(s.log, "alice", 100'000, now - seconds(3600));
          s.ui.bring_to_front = Tab::log;
        }}},
      {"log-filtered",
       {"Protocol log filtered to IMAP lines containing AUTHENTICATE or NO",
        [](Scene& s, system_clock::time_point now) {
          base(s, now);
          fill_log(s.log, "alice", 100'000, now - seconds(3600));
          std::snprintf(s.ui.log.filter.InputBuf, sizeof s.ui.log.filter.InputBuf, "AUTHENTICATE,NO ");
          s.ui.log.filter.Build();
          for (int p = 0; p < kLogProtocolCount; ++p) s.ui.log.show[p] = p == static_cast<int>(LogProtocol::imap);
          s.ui.bring_to_front = Tab::log;
        }}},
  };
  return kScenes;
}

}  // namespace

std::vector<std::string> scene_names() {
  std::vector<std::string> out;
  for (const auto& [name, _] : builders()) out.push_back(name);
  return out;
}

namespace {

struct Line {
  const char* protocol;
  protolog::Direction d;
  const char* text;
};

// An IMAP session, a token refresh and an SMTP sign-in, as a protocol log shows them.
constexpr Line kConversation[] = {
    {"app", protolog::Direction::info, "imap: connecting to imap.gmail.com:993 (TLS)"},
    {"imap", protolog::Direction::server, "* OK Gimap ready for requests from 203.0.113.7 l2mb1234"},
    {"imap", protolog::Direction::client, "A1 CAPABILITY"},
    {"imap", protolog::Direction::server,
     "* CAPABILITY IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1 "
     "XYZZY SASL-IR AUTH=XOAUTH2 AUTH=PLAIN AUTH=OAUTHBEARER"},
    {"imap", protolog::Direction::server, "A1 OK Thats all she wrote! l2mb1234"},
    {"imap", protolog::Direction::client, "A2 AUTHENTICATE XOAUTH2 <redacted>"},
    {"imap", protolog::Direction::server, "A2 OK alice@example.com authenticated (Success)"},
    {"imap", protolog::Direction::client, "A3 SELECT INBOX"},
    {"imap", protolog::Direction::server, "* OK [UIDVALIDITY 1] UIDs valid."},
    {"imap", protolog::Direction::server, "* 48102 EXISTS"},
    {"imap", protolog::Direction::server, "A3 OK [READ-WRITE] INBOX selected. (Success)"},
    {"http", protolog::Direction::client, "POST https://oauth2.googleapis.com/token"},
    {"http", protolog::Direction::client, "grant_type=refresh_token&refresh_token=<redacted>&client_id=1234.apps"},
    {"http", protolog::Direction::server, "HTTP/2 200 application/json; charset=utf-8"},
    {"http", protolog::Direction::server,
     "{\"access_token\": \"<redacted>\", \"expires_in\": 3599, \"token_type\": \"Bearer\"}"},
    {"smtp", protolog::Direction::server, "220 smtp.gmail.com ESMTP a7sm123456wrx.12 - gsmtp"},
    {"smtp", protolog::Direction::client, "EHLO localhost"},
    {"smtp", protolog::Direction::server, "250-smtp.gmail.com at your service, [203.0.113.7]"},
    {"smtp", protolog::Direction::client, "AUTH XOAUTH2 <redacted>"},
    {"smtp", protolog::Direction::server, "535-5.7.8 Username and Password not accepted. For more information, go to"},
    {"imap", protolog::Direction::client, "A4 LOGOUT"},
    {"imap", protolog::Direction::server, "A4 NO [ALERT] Please log in via your web browser (Failure)"},
};

// A setup's sign-in as the protocol log shows it: discovery, the code exchanged for tokens.
constexpr Line kSetupSignIn[] = {
    {"http", protolog::Direction::client, "GET https://accounts.google.com/.well-known/openid-configuration"},
    {"http", protolog::Direction::server, "HTTP/2 200 application/json; charset=utf-8"},
    {"http", protolog::Direction::client, "POST https://oauth2.googleapis.com/token"},
    {"http", protolog::Direction::client, "grant_type=authorization_code&code=<redacted>&code_verifier=<redacted>"},
    {"http", protolog::Direction::server, "HTTP/2 200 application/json; charset=utf-8"},
};

// What the workspace sends the live strip once the main window asks (watch_live): the newest lines
// of the subject the strip follows in this scene.
void fill_live_tail(Scene& s, system_clock::time_point now) {
  const bool setup_front = s.ui.bring_to_front == Tab::setup;
  const LiveSubject subject = live_subject(s.view, setup_front, s.ui.setup.provider_chosen, s.ui.setup.draft.name);
  if (subject.name.empty()) return;
  s.view.live.subject = subject.name;
  s.ui.front = setup_front ? Tab::setup : s.ui.bring_to_front.value_or(Tab::diagnostics);
  if (subject.draft) {
    if (s.view.setup.sign_in.state == ConsentState::idle) return;
    protolog::Entry e;
    e.account = subject.name;
    for (const Line& l : kSetupSignIn) {
      e.seq++;
      e.at = now - seconds(20) + seconds(e.seq);
      e.protocol = l.protocol;
      e.direction = l.d;
      e.text = l.text;
      s.view.live.lines.push_back(e);
    }
    return;
  }
  // The end of the IMAP session: the mailbox selected.
  constexpr size_t kLast = 11;
  for (size_t i = kLast - kLiveTailLines; i < kLast; ++i) {
    protolog::Entry e;
    e.account = subject.name;
    e.seq = i + 1;
    e.at = now - seconds(static_cast<long>(kLast - i));
    e.protocol = kConversation[i].protocol;
    e.direction = kConversation[i].d;
    e.text = kConversation[i].text;
    s.view.live.lines.push_back(e);
  }
}

}  // namespace

std::unique_ptr<Scene> make_scene(std::string_view name, system_clock::time_point now) {
  auto it = builders().find(name);
  if (it == builders().end()) return nullptr;
  auto scene = std::make_unique<Scene>();
  scene->name = it->first;
  scene->caption = it->second.first;
  it->second.second(*scene, now);
  scene->view.log = &scene->log;
  // Scenes that stage no live tail get the one their strip would show (the window's first frame
  // asks for it; nothing applies commands in a scene).
  if (scene->view.live.subject.empty() && !scene->view.accounts.empty()) {
    fill_live_tail(*scene, now);
    scene->ui.live_watched = live_subject(scene->view, scene->ui.front == Tab::setup, scene->ui.setup.provider_chosen,
                                          scene->ui.setup.draft.name);
  }
  return scene;
}

void fill_log(LogBuffer& log, const std::string& account, size_t count, system_clock::time_point start) {
  constexpr size_t n = sizeof kConversation / sizeof kConversation[0];
  protolog::Entry e;
  e.account = account;
  for (size_t i = 0; i < count; ++i) {
    const Line& l = kConversation[i % n];
    e.seq = log.last_seq + 1;
    e.at = start + std::chrono::milliseconds(i * 35);
    e.protocol = l.protocol;
    e.direction = l.d;
    e.text = l.text;
    log.append(e);
  }
}

}  // namespace md::panels
