// The panels' logic without a window: countdown text and timing, when the re-authentication
// prompt asks, run summaries, the log panel's filtered-line cache, what the reset modal allows, and
// the key taps held for the next frame.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "diagnostics_panel.h"
#include "frame_input_queue.h"
#include "live_strip.h"
#include "log_panel.h"
#include "scenes.h"
#include "setup_panel.h"
#include "sync_panel.h"
#include "token_panel.h"

namespace md::panels {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::system_clock;

protolog::Entry entry(uint64_t seq, const char* protocol, const char* text) {
  protolog::Entry e;
  e.seq = seq;
  e.at = kFixedSceneTime;
  e.protocol = protocol;
  e.direction = protolog::Direction::client;
  e.text = text;
  return e;
}

}  // namespace

TEST_CASE("token countdown: mm:ss under an hour, h:mm:ss above, never negative") {
  CHECK(format_countdown(0) == "00:00");
  CHECK(format_countdown(59) == "00:59");
  CHECK(format_countdown(42 * 60 + 17) == "42:17");
  CHECK(format_countdown(3599) == "59:59");
  CHECK(format_countdown(3600) == "1:00:00");
  CHECK(format_countdown(-5) == "00:00");
  CHECK(format_age(40) == "40 s");
  CHECK(format_age(300) == "5 min");
  CHECK(format_age(7500) == "2 h 5 min");
  CHECK(format_age(200000) == "2 d 7 h");
}

TEST_CASE("token countdown: the next frame lands just after the next whole second") {
  const auto expires = kFixedSceneTime + seconds(100) + milliseconds(250);
  const double wait = seconds_to_next_tick(expires, kFixedSceneTime);
  CHECK(wait > 0.25);
  CHECK(wait < 0.26);
  CHECK(seconds_to_next_tick(kFixedSceneTime + seconds(5), kFixedSceneTime) == doctest::Approx(1.002));
  CHECK(seconds_to_next_tick(kFixedSceneTime - seconds(5), kFixedSceneTime) == doctest::Approx(1.0));
}

TEST_CASE("re-authentication prompt: asks for invalid_grant or a dead token, once per failure") {
  TokenPanelState state;
  WorkspaceView view;
  view.now = kFixedSceneTime;
  view.accounts.resize(2);
  view.accounts[0].name = "alice";
  view.accounts[1].name = "bob";
  view.selected = "alice";
  TokenView& token = view.token;
  token.account = "alice";
  tokens::TokenStatus s;
  s.signed_in = true;
  s.refresh_token_saved = true;
  s.refreshable = true;
  s.expires_at = kFixedSceneTime + seconds(600);
  token.status = s;
  CHECK_FALSE(dead_token_failure(token, kFixedSceneTime));
  CHECK_FALSE(should_prompt_reauth(view, state));

  // A failed refresh for another reason (the network) is not a dead token.
  token.refresh_failure = Failure{"tcp.timeout", "no answer"};
  token.failure_serial = 1;
  CHECK_FALSE(should_prompt_reauth(view, state));

  token.refresh_failure = Failure{"oauth.invalid_grant", "revoked"};
  token.failure_serial = 2;
  CHECK(should_prompt_reauth(view, state));
  state.prompted_for = dead_sign_ins_key(view, dead_sign_ins(view));
  CHECK_FALSE(should_prompt_reauth(view, state));
  token.failure_serial = 3;
  CHECK(should_prompt_reauth(view, state));
  state.prompted_for = dead_sign_ins_key(view, dead_sign_ins(view));

  // Another account's sign-in dies (found by the token sweep or its checks): asked again, and both
  // are named, the selected one first as the list orders them.
  view.accounts[1].dead_sign_in = Failure{"oauth.invalid_grant", "AADSTS700082: The refresh token has expired"};
  CHECK(should_prompt_reauth(view, state));
  auto dead = dead_sign_ins(view);
  REQUIRE(dead.size() == 2);
  CHECK(dead[0].account == "alice");
  CHECK(dead[1].account == "bob");
  // Only the other account is dead: it is named, though it is not selected.
  token.refresh_failure.reset();
  dead = dead_sign_ins(view);
  REQUIRE(dead.size() == 1);
  CHECK(dead[0].account == "bob");

  // While the browser sign-in is running, nothing asks.
  state.prompted_for.clear();
  token.sign_in.state = ConsentState::waiting;
  CHECK_FALSE(should_prompt_reauth(view, state));

  // Expired with no refresh token: dead even without a failure.
  TokenView expired;
  expired.account = "bob";
  s.refresh_token_saved = false;
  s.refreshable = false;
  s.expires_at = kFixedSceneTime - seconds(1);
  expired.status = s;
  CHECK(dead_token_failure(expired, kFixedSceneTime));
  // A stored failure from an earlier session counts too.
  TokenView stored;
  stored.account = "carol";
  tokens::TokenStatus st;
  st.last_error = Failure{"oauth.invalid_grant", "Token has been expired or revoked."};
  stored.status = st;
  CHECK(dead_token_failure(stored, kFixedSceneTime)->code == "oauth.invalid_grant");
}

TEST_CASE("diagnostics: summaries, colours and which rows open") {
  auto green = make_scene("checks-green", kFixedSceneTime);
  const CheckRun& g = green->view.checks.at("alice");
  CHECK(run_summary(g) == "All 16 checks passed");
  CHECK(run_health(g) == Health::ok);

  auto failed = make_scene("checks-failed", kFixedSceneTime);
  const CheckRun& f = failed->view.checks.at("bob");
  CHECK(run_summary(f) == "1 of 10 checks failed (1 warning)");
  CHECK(run_health(f) == Health::failed);
  for (const auto& s : f.steps) {
    if (s.id == "imap.tls") CHECK(step_opens(s));
    if (s.id == "imap.dns") CHECK_FALSE(step_opens(s));
    if (s.id == "imap.auth") CHECK_FALSE(step_opens(s));  // skipped: nothing to explain
  }

  auto running = make_scene("checks-running", kFixedSceneTime);
  CHECK(run_summary(running->view.checks.at("alice")) == "Running: 7 step(s) done");
  CHECK(run_health(running->view.checks.at("alice")) == Health::unknown);

  CheckRun cancelled = g;
  cancelled.cancelled = true;
  CHECK(run_summary(cancelled) == "Cancelled after 16 step(s)");

  DiagnosticsPanelState state;
  CHECK(shown_check_key(green->view, state) == "alice");
  state.subject = quick_check_key(accounts::Provider::microsoft);
  CHECK(shown_check_key(green->view, state) == "quick:microsoft");
}

TEST_CASE("log panel: the filtered list grows with new lines and restarts when the filters change") {
  LogBuffer log;
  log.append(entry(1, "imap", "A1 CAPABILITY"));
  log.append(entry(2, "smtp", "EHLO localhost"));
  log.append(entry(3, "imap", "A2 AUTHENTICATE XOAUTH2 <redacted>"));
  LogPanelState state;
  update_visible_lines(state, log);
  CHECK(state.visible == std::vector<uint32_t>{0, 1, 2});

  log.append(entry(4, "http", "POST https://oauth2.googleapis.com/token"));
  update_visible_lines(state, log);
  CHECK(state.visible.size() == 4);
  CHECK(state.scanned == 4);

  state.show[static_cast<int>(LogProtocol::smtp)] = false;
  update_visible_lines(state, log);
  CHECK(state.visible == std::vector<uint32_t>{0, 2, 3});

  std::snprintf(state.filter.InputBuf, sizeof state.filter.InputBuf, "AUTHENTICATE,token");
  state.filter.Build();
  update_visible_lines(state, log);
  CHECK(state.visible == std::vector<uint32_t>{2, 3});
  CHECK(visible_text(state, log).find("A2 AUTHENTICATE XOAUTH2 <redacted>\n") != std::string::npos);

  std::snprintf(state.filter.InputBuf, sizeof state.filter.InputBuf, "-imap");
  state.filter.Build();
  update_visible_lines(state, log);
  CHECK(state.visible == std::vector<uint32_t>{3});

  // A cleared buffer (another account, or Clear) starts the cache again.
  log.clear();
  log.append(entry(9, "http", "GET https://openidconnect.googleapis.com/v1/userinfo"));
  update_visible_lines(state, log);
  CHECK(state.visible == std::vector<uint32_t>{0});
}

TEST_CASE("log buffer: lines keep their protocol and text, and the oldest half goes past the cap") {
  LogBuffer log;
  fill_log(log, "alice", 1000, kFixedSceneTime);
  CHECK(log.lines.size() == 1000);
  CHECK(log.line_text(0).find("imap: connecting") != std::string_view::npos);
  CHECK(log.lines[1].protocol == LogProtocol::imap);
  CHECK(log.lines[1].direction == protolog::Direction::server);
  const uint64_t gen = log.generation;
  fill_log(log, "alice", 200'000, kFixedSceneTime);
  CHECK(log.lines.size() <= 200'000);
  CHECK(log.lines.size() >= 100'000);
  CHECK(log.generation != gen);
  CHECK(log.lines.front().begin == 0);
  CHECK(log.lines.back().end == log.text.size());
}

TEST_CASE("panel output: the soonest timed redraw wins") {
  PanelOutput out;
  CHECK(out.redraw_in_s == PanelOutput::kNoTimedRedraw);
  out.redraw_within(0.8);
  out.redraw_within(2.0);
  out.redraw_within(-1.0);
  CHECK(out.redraw_in_s == 0.0);
  out.reset_timing();
  CHECK(out.redraw_in_s == PanelOutput::kNoTimedRedraw);
}

namespace {

WorkspaceView reset_view(ResetStage stage) {
  WorkspaceView v;
  v.selected = "alice";
  v.accounts = {{"alice", "alice@example.com", "gmail", true, false, 20, Health::ok, std::nullopt}};
  v.reset.account = "alice";
  v.reset.stage = stage;
  if (stage == ResetStage::ready) {
    sync::CounterReset p;
    p.old_uidvalidity = 1;
    p.old_last_uid = 48212;
    p.will_download = 48102;
    v.reset.preview = p;
  }
  return v;
}

template <class Kind>
int count(const PanelOutput& out) {
  int n = 0;
  for (const Command& c : out.commands) n += std::holds_alternative<Kind>(c) ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("reset modal: an admin signed in to the window recently goes straight to the confirmation, named") {
  WorkspaceView v = reset_view(ResetStage::ready);
  v.now = kFixedSceneTime;
  v.admin.session = admin::AdminSession{"carol", kFixedSceneTime - std::chrono::minutes(4)};
  ResetFlowState flow;
  PanelOutput out;
  open_reset_flow(flow, v, out);
  CHECK(flow.step == ResetStep::confirm);
  CHECK(flow.by_window_admin);
  CHECK(flow.password[0] == '\0');
  REQUIRE(count<cmd::PreviewReset>(out) == 1);
  REQUIRE(can_reset(flow, v));
  REQUIRE(confirm_reset(flow, v, out));
  REQUIRE(count<cmd::ResetCounter>(out) == 1);
  // No name and no password travel: the workspace confirms with the window's sign-in itself.
  CHECK(std::get<cmd::ResetCounter>(out.commands.back()).user.empty());
  CHECK(std::get<cmd::ResetCounter>(out.commands.back()).password.empty());
  CHECK(flow.step == ResetStep::result);

  // "Another admin..." (or Try again) asks for a name and a password after all.
  ResetFlowState other;
  PanelOutput out2;
  open_reset_flow(other, v, out2);
  retry_reset_sign_in(other, out2);
  CHECK(other.step == ResetStep::sign_in);
  CHECK_FALSE(other.by_window_admin);
  CHECK(std::string(other.user) == "carol");
  CHECK_FALSE(can_continue_to_confirm(other));
}

TEST_CASE("reset modal: opening asks for the preview and pre-fills the signed-in admin, never the password") {
  WorkspaceView v = reset_view(ResetStage::idle);
  v.now = kFixedSceneTime;
  // Signed in longer ago than admin::kRecentSignIn: the name is filled in, the password asked.
  v.admin.session = admin::AdminSession{"carol", kFixedSceneTime - admin::kRecentSignIn - std::chrono::seconds(1)};
  ResetFlowState flow;
  PanelOutput out;
  open_reset_flow(flow, v, out);
  CHECK(flow.step == ResetStep::sign_in);
  CHECK(std::string(flow.user) == "carol");
  CHECK(flow.password[0] == '\0');
  REQUIRE(out.commands.size() == 1);
  CHECK(std::holds_alternative<cmd::PreviewReset>(out.commands[0]));
  CHECK(std::get<cmd::PreviewReset>(out.commands[0]).account == "alice");

  // No admin signed in: the name is blank.
  ResetFlowState blank;
  PanelOutput out2;
  open_reset_flow(blank, reset_view(ResetStage::idle), out2);
  CHECK(blank.user[0] == '\0');
}

TEST_CASE("reset modal: no reset without an admin name, a password and the preview") {
  ResetFlowState flow;
  PanelOutput out;
  WorkspaceView ready = reset_view(ResetStage::ready);
  open_reset_flow(flow, ready, out);
  out.commands.clear();
  // Nothing typed: neither Continue nor Reset.
  CHECK_FALSE(can_continue_to_confirm(flow));
  CHECK_FALSE(continue_to_confirm(flow));
  CHECK_FALSE(confirm_reset(flow, ready, out));
  std::snprintf(flow.user, sizeof flow.user, "carol");
  CHECK_FALSE(continue_to_confirm(flow));  // no password
  // Reset is never reachable from the sign-in step, even with both typed.
  std::snprintf(flow.password, sizeof flow.password, "s3cret-pass");
  CHECK_FALSE(can_reset(flow, ready));
  CHECK_FALSE(confirm_reset(flow, ready, out));
  CHECK(continue_to_confirm(flow));
  CHECK(flow.step == ResetStep::confirm);
  // The preview still on its way, or failed: no reset.
  CHECK_FALSE(confirm_reset(flow, reset_view(ResetStage::previewing), out));
  CHECK_FALSE(confirm_reset(flow, reset_view(ResetStage::failed), out));
  // Another account's preview: no reset.
  WorkspaceView other = ready;
  other.reset.account = "bob";
  CHECK_FALSE(confirm_reset(flow, other, out));
  CHECK(count<cmd::ResetCounter>(out) == 0);
  // Everything there: one reset command carrying the credentials for verify_admin on the worker;
  // the form forgets the password at once.
  CHECK(confirm_reset(flow, ready, out));
  REQUIRE(count<cmd::ResetCounter>(out) == 1);
  const auto& reset = std::get<cmd::ResetCounter>(out.commands.back());
  CHECK(reset.user == "carol");
  CHECK(reset.password == "s3cret-pass");
  CHECK(reset.account == "alice");
  CHECK(flow.password[0] == '\0');
  CHECK(flow.step == ResetStep::result);
  // A second click sends nothing more.
  CHECK_FALSE(confirm_reset(flow, ready, out));
  CHECK(count<cmd::ResetCounter>(out) == 1);
}

TEST_CASE("reset modal: Cancel at any step changes nothing and forgets the password") {
  for (ResetStep at : {ResetStep::sign_in, ResetStep::confirm}) {
    ResetFlowState flow;
    PanelOutput out;
    WorkspaceView ready = reset_view(ResetStage::ready);
    open_reset_flow(flow, ready, out);
    std::snprintf(flow.user, sizeof flow.user, "carol");
    std::snprintf(flow.password, sizeof flow.password, "s3cret-pass");
    if (at == ResetStep::confirm) REQUIRE(continue_to_confirm(flow));
    cancel_reset_flow(flow, out);
    CHECK(flow.step == ResetStep::closed);
    CHECK(flow.password[0] == '\0');
    CHECK(count<cmd::ResetCounter>(out) == 0);
    // Only the preview (read-only) and the close were sent.
    for (const Command& c : out.commands)
      CHECK((std::holds_alternative<cmd::PreviewReset>(c) || std::holds_alternative<cmd::CloseReset>(c)));
    CHECK_FALSE(confirm_reset(flow, ready, out));
  }
}

TEST_CASE("reset modal: after wrong credentials Try again starts at the sign-in with the name kept") {
  ResetFlowState flow;
  PanelOutput out;
  WorkspaceView ready = reset_view(ResetStage::ready);
  open_reset_flow(flow, ready, out);
  std::snprintf(flow.user, sizeof flow.user, "carol");
  std::snprintf(flow.password, sizeof flow.password, "wrong");
  REQUIRE(continue_to_confirm(flow));
  REQUIRE(confirm_reset(flow, ready, out));
  out.commands.clear();
  retry_reset_sign_in(flow, out);
  CHECK(flow.step == ResetStep::sign_in);
  CHECK(std::string(flow.user) == "carol");
  CHECK(flow.password[0] == '\0');
  CHECK(count<cmd::PreviewReset>(out) == 1);
  CHECK(count<cmd::ResetCounter>(out) == 0);
}

TEST_CASE("sync panel words: the consequence of a reset and byte sizes") {
  sync::CounterReset p;
  p.will_download = 48102;
  CHECK(reset_consequence(p) == "The next sync downloads all 48102 messages again.");
  CHECK(format_bytes(512) == "512 B");
  CHECK(format_bytes(1536) == "1.5 KiB");
  CHECK(format_bytes(3ull << 20) == "3.0 MiB");
}

TEST_CASE("setup flow: provider, details, authenticate, save; each step allows only what it can do") {
  WorkspaceView view;
  view.accounts = {{"alice", "alice@example.com", "gmail", true, false, 20, Health::ok, std::nullopt}};
  SetupPanelState state;
  PanelOutput out;
  CHECK(setup_step(state, view.setup) == SetupStep::provider);
  CHECK_FALSE(can_authenticate(state, view));
  CHECK_FALSE(can_save(state, view));

  choose_provider(state, accounts::Provider::gmail, out);
  CHECK(count<cmd::SetupClear>(out) == 1);
  CHECK(state.draft.imap == "imap.gmail.com:993");  // pre-filled, to confirm
  CHECK(setup_step(state, view.setup) == SetupStep::details);
  // Pressed with details missing: nothing is sent, every problem is shown.
  out.commands.clear();
  CHECK_FALSE(authenticate(state, view, false, out));
  CHECK(state.show_all_problems);
  CHECK(out.commands.empty());

  state.draft.email = "frontdesk@example.com";
  state.draft.name = "alice";  // taken
  state.draft.client_id = "1234.apps.googleusercontent.com";
  CHECK_FALSE(can_authenticate(state, view));
  state.draft.name = "frontdesk";
  CHECK(setup_step(state, view.setup) == SetupStep::authenticate);
  CHECK_FALSE(can_save(state, view));  // OAuth: saved signed in, so not before the sign-in
  REQUIRE(authenticate(state, view, true, out));
  REQUIRE(out.commands.size() == 1);
  REQUIRE(std::holds_alternative<cmd::SetupSignIn>(out.commands[0]));
  const auto& sign_in = std::get<cmd::SetupSignIn>(out.commands[0]);
  CHECK(sign_in.device);
  REQUIRE(sign_in.draft);
  CHECK(sign_in.draft->email == "frontdesk@example.com");

  // While it waits, neither a second sign-in nor Save.
  view.setup.sign_in.state = ConsentState::waiting;
  CHECK_FALSE(can_authenticate(state, view));
  CHECK_FALSE(can_save(state, view));
  // Signed in for this draft: Save.
  view.setup.sign_in.state = ConsentState::succeeded;
  view.setup.signed_in_key = accounts::sign_in_key(state.draft);
  CHECK(setup_step(state, view.setup) == SetupStep::save);
  CHECK(can_save(state, view));
  // The address changed after the sign-in: those tokens are not this account's.
  state.draft.email = "other@example.com";
  CHECK_FALSE(signed_in_for_draft(state, view.setup));
  CHECK_FALSE(can_save(state, view));
  CHECK(setup_step(state, view.setup) == SetupStep::authenticate);
  state.draft.email = "frontdesk@example.com";
  out.commands.clear();
  REQUIRE(save_account(state, view, out));
  CHECK(std::holds_alternative<cmd::SetupSave>(out.commands.at(0)));

  view.setup.save = SetupSave::saved;
  CHECK(setup_step(state, view.setup) == SetupStep::done);
  CHECK_FALSE(can_save(state, view));
  restart_setup(state, out);
  CHECK(setup_step(state, view.setup) == SetupStep::provider);
  CHECK(state.draft.client_id.empty());
}

TEST_CASE("setup flow: a password account needs no sign-in; the name follows the address until typed") {
  WorkspaceView view;
  SetupPanelState state;
  PanelOutput out;
  choose_provider(state, accounts::Provider::custom, out);
  CHECK(state.draft.auth == accounts::AuthMethod::password);
  state.draft.email = "desk@practice.example";
  state.draft.name = "desk";
  state.draft.imap = "mail.practice.example:993";
  CHECK_FALSE(can_save(state, view));  // no password yet
  state.draft.password = "pw";
  CHECK(setup_step(state, view.setup) == SetupStep::save);
  CHECK(can_save(state, view));
  CHECK_FALSE(can_authenticate(state, view));  // nothing to authenticate
  // Another provider keeps what was typed as address and name.
  choose_provider(state, accounts::Provider::microsoft, out);
  CHECK(state.draft.email == "desk@practice.example");
  CHECK(state.draft.name == "desk");
  CHECK(state.draft.password.empty());
  CHECK(state.draft.auth == accounts::AuthMethod::oauth2);
}

}  // namespace md::panels

namespace md::panels {

TEST_CASE("live strip: it follows the draft on Setup, the selected account elsewhere, and says what it knows") {
  WorkspaceView v;
  v.now = kFixedSceneTime;
  v.selected = "alice";
  v.accounts = {{"alice", "alice@example.com", "gmail", true, false, 20, Health::ok, std::nullopt},
                {"desk", "desk@example.com", "custom", false, false, 20, Health::unknown, std::nullopt}};
  // The draft only while Setup is in front, a provider is chosen, it has a name and is not saved.
  CHECK(live_subject(v, true, true, "frontdesk") == LiveSubject{"frontdesk", true});
  CHECK(live_subject(v, false, true, "frontdesk") == LiveSubject{"alice", false});
  CHECK(live_subject(v, true, false, "frontdesk") == LiveSubject{"alice", false});
  CHECK(live_subject(v, true, true, "") == LiveSubject{"alice", false});
  v.setup.save = SetupSave::saved;
  CHECK(live_subject(v, true, true, "frontdesk") == LiveSubject{"alice", false});

  // The draft's sign-in, as it goes.
  const LiveSubject draft{"frontdesk", true};
  CHECK(live_status(v, draft, true).text.find("Not signed in yet") == 0);
  v.setup = SetupView{};
  v.setup.sign_in.state = ConsentState::waiting;
  CHECK(live_status(v, draft, true).busy);
  v.setup.sign_in.state = ConsentState::failed;
  v.setup.sign_in.failure = Failure{"oauth.access_denied", "the user said no"};
  const LiveStatus refused = live_status(v, draft, true);
  CHECK(refused.health == Health::failed);
  CHECK(refused.text.find("[oauth.access_denied]") != std::string::npos);
  CHECK_FALSE(refused.tooltip.empty());
  // No token or sync line for a draft.
  CHECK(live_token_line(v, draft).empty());
  CHECK(live_sync_line(v, draft).empty());

  // The selected account: its first failed step, with the code.
  const LiveSubject alice{"alice", false};
  CHECK(live_status(v, alice, true).text == "The last checks passed");
  CheckRun run;
  run.subject = "alice";
  diagnostics::StepResult ok_step{"imap.tcp", "Connect", diagnostics::StepStatus::pass, 3, "", std::nullopt, {}};
  diagnostics::StepResult bad{"imap.auth", "Sign in", diagnostics::StepStatus::fail, 9, "", std::nullopt, {}};
  bad.failure =
      diagnostics::Explanation{"auth.bad_credentials", "Sign-in refused", "wrong password", "type it again", ""};
  run.steps = {ok_step, bad};
  v.checks["alice"] = run;
  const LiveStatus failed = live_status(v, alice, true);
  CHECK(failed.health == Health::failed);
  CHECK(failed.text.find("Sign in: Sign-in refused [auth.bad_credentials]") == 0);

  // The token in minutes; a wake-up when that text changes, not every second.
  tokens::TokenStatus st;
  st.signed_in = true;
  st.refreshable = true;
  st.expires_at = kFixedSceneTime + std::chrono::seconds(52 * 60 + 30);
  v.token.account = "alice";
  v.token.status = st;
  CHECK(live_token_line(v, alice) == "Access token: expires in 52 min");
  CHECK(live_token_redraw_in(v, alice) == doctest::Approx(30.002));
  v.token.refresh_failure = Failure{"oauth.invalid_grant", "revoked"};
  CHECK(live_token_line(v, alice) == "Sign-in dead: re-authenticate");
  CHECK(live_token_redraw_in(v, alice) == PanelOutput::kNoTimedRedraw);
  // A password account has no token to count down.
  v.selected = "desk";
  CHECK(live_token_line(v, {"desk", false}) == "Password sign-in");

  // The last synced UID, once the status is read.
  v.sync.account = "desk";
  CHECK(live_sync_line(v, {"desk", false}).empty());
  sync::SyncStatus status;
  status.protocol = accounts::Protocol::imap;
  status.state = sync::MailboxState{};
  status.state->uidvalidity = 7;
  status.state->last_uid = 1234;
  v.sync.status = status;
  CHECK(live_sync_line(v, {"desk", false}) == "Last synced UID 1234 (UIDVALIDITY 7)");
}

TEST_CASE("input: keys, text and clicks faster than the frames reach ImGui as a person meant them") {
  constexpr int kTab = 258, kEnter = 257, kLeftShift = 340, kA = 65, kCtrl = 0x2;
  std::vector<std::string> seen;  // what ImGui's callbacks got, in order
  FrameInputQueue queue(
      {[&](int key, int, KeyAction action, int) {
         seen.push_back(std::to_string(key) + (action == KeyAction::press     ? " down"
                                               : action == KeyAction::release ? " up"
                                                                              : " repeat"));
       },
       [&](unsigned codepoint) { seen.push_back(std::string("'") + static_cast<char>(codepoint) + "'"); },
       [&](int button, KeyAction action, int) {
         seen.push_back("mouse " + std::to_string(button) + (action == KeyAction::press ? " down" : " up"));
       },
       [&](double, double dy) { seen.push_back("wheel " + std::to_string(static_cast<int>(dy))); }});
  using Seen = std::vector<std::string>;

  SUBCASE("a tap whose press and release come between two frames is seen down, then up") {
    queue.on_key(kTab, 0, KeyAction::press, 0);
    queue.on_key(kTab, 0, KeyAction::release, 0);
    CHECK(seen == Seen{"258 down"});
    CHECK(queue.end_frame());  // the release goes through after the frame, and asks for another
    CHECK(seen == Seen{"258 down", "258 up"});
    CHECK_FALSE(queue.end_frame());
  }
  SUBCASE("a key held over a frame is released at once, repeats and all") {
    queue.on_key(kEnter, 0, KeyAction::press, 0);
    CHECK_FALSE(queue.end_frame());
    queue.on_key(kEnter, 0, KeyAction::repeat, 0);
    queue.on_key(kEnter, 0, KeyAction::release, 0);
    CHECK(seen == Seen{"257 down", "257 repeat", "257 up"});
    CHECK_FALSE(queue.end_frame());
  }
  SUBCASE("two keys tapped in one gap: both down in that frame, both up in the next") {
    queue.on_key(kTab, 0, KeyAction::press, 1);
    queue.on_key(kTab, 0, KeyAction::release, 1);
    queue.on_key(kEnter, 0, KeyAction::press, 0);
    queue.on_key(kEnter, 0, KeyAction::release, 0);
    CHECK(seen == Seen{"258 down"});  // Enter waits behind the Tab's release: order is kept
    CHECK(queue.end_frame());
    CHECK(seen == Seen{"258 down", "258 up"});  // and for the frame the Tab moves the focus in
    CHECK(queue.end_frame());
    CHECK(seen == Seen{"258 down", "258 up", "257 down"});
    CHECK(queue.end_frame());
    CHECK(seen == Seen{"258 down", "258 up", "257 down", "257 up"});
  }
  SUBCASE("the same key tapped three times in one gap is three presses, each in a frame of its own") {
    for (int i = 0; i < 3; ++i) {
      queue.on_key(kTab, 0, KeyAction::press, 0);
      queue.on_key(kTab, 0, KeyAction::release, 0);
    }
    int frames = 0;
    while (queue.end_frame()) ++frames;
    CHECK(frames == 5);  // down | up | down | up | down | up: the first down came before any frame
    CHECK(seen == Seen{"258 down", "258 up", "258 down", "258 up", "258 down", "258 up"});
  }
  SUBCASE("text typed after a Tab in the same gap waits until the Tab has moved the focus") {
    queue.on_key(kTab, 0, KeyAction::press, 0);
    queue.on_key(kTab, 0, KeyAction::release, 0);
    queue.on_character('x');
    queue.on_key(kA, 0, KeyAction::press, 0);
    queue.on_character('a');
    CHECK(seen == Seen{"258 down"});
    CHECK(queue.end_frame());
    CHECK(seen == Seen{"258 down", "258 up"});  // the frame the field the Tab reaches activates in
    CHECK(queue.end_frame());
    CHECK(seen == Seen{"258 down", "258 up", "'x'", "65 down", "'a'"});
  }
  SUBCASE("plain typing flows as it comes, Shift included; a Ctrl shortcut acts before the text after it") {
    queue.on_key(kLeftShift, 0, KeyAction::press, 0);
    queue.on_key(kA, 0, KeyAction::press, 1);
    queue.on_character('A');
    queue.on_key(kA, 0, KeyAction::release, 1);
    queue.on_key(kLeftShift, 0, KeyAction::release, 0);
    CHECK(seen == Seen{"340 down", "65 down", "'A'", "65 up"});  // Shift's release waits a frame
    CHECK(queue.end_frame());
    CHECK(seen == Seen{"340 down", "65 down", "'A'", "65 up", "340 up"});
    CHECK_FALSE(queue.end_frame());
    seen.clear();
    for (int i = 0; i < 2; ++i) {  // "aa" typed in one gap: both letters in the one frame
      queue.on_key(kA, 0, KeyAction::press, 0);
      queue.on_character('a');
      queue.on_key(kA, 0, KeyAction::release, 0);
    }
    CHECK(seen == Seen{"65 down", "'a'", "65 up", "65 down", "'a'", "65 up"});
    CHECK_FALSE(queue.end_frame());
    seen.clear();
    queue.on_key(kA, 0, KeyAction::press, kCtrl);  // Ctrl let go before the A: Ctrl+A is still seen
    queue.on_key(kA, 0, KeyAction::release, 0);
    CHECK(seen == Seen{"65 down"});
    CHECK(queue.end_frame());
    CHECK(seen == Seen{"65 down", "65 up"});
    while (queue.end_frame()) {
    }
    seen.clear();
    queue.on_key(kA, 0, KeyAction::press, kCtrl);  // Ctrl+A selects all; the text then replaces it
    queue.on_character('z');
    CHECK(seen == Seen{"65 down"});
    CHECK(queue.end_frame());  // nothing goes through, but the text still waits: draw again
    CHECK(seen == Seen{"65 down"});
    CHECK(queue.end_frame());
    CHECK(seen == Seen{"65 down", "'z'"});
    CHECK_FALSE(queue.end_frame());
  }
  SUBCASE("a click right after typing comes after the text, and what follows the click after it") {
    queue.on_character('p');
    queue.on_character('m');
    queue.on_mouse_button(0, KeyAction::press, 0);  // Save, clicked before the frame took the text
    queue.on_mouse_button(0, KeyAction::release, 0);
    queue.on_key(kTab, 0, KeyAction::press, 0);
    CHECK(seen == Seen{"'p'", "'m'"});
    CHECK(queue.end_frame());
    CHECK(seen == Seen{"'p'", "'m'", "mouse 0 down"});  // alone in its frame
    CHECK(queue.end_frame());
    CHECK(seen == Seen{"'p'", "'m'", "mouse 0 down", "mouse 0 up", "258 down"});
    CHECK_FALSE(queue.end_frame());
  }
  SUBCASE("the frame reads the mouse from the queue: a held click comes where the mouse was pressed") {
    queue.on_cursor(100, 200);
    queue.on_scroll(0, -1);
    queue.on_mouse_button(0, KeyAction::press, 0);  // after the wheel: the layout moves first
    queue.on_cursor(300, 400);                      // the next click's way, before a frame came
    queue.on_mouse_button(0, KeyAction::release, 0);
    REQUIRE(queue.pointer().position);
    CHECK(queue.pointer().position->first == 100);
    CHECK_FALSE(queue.pointer().down[0]);
    CHECK(seen == Seen{"wheel -1"});
    CHECK(queue.end_frame());
    CHECK(seen == Seen{"wheel -1", "mouse 0 down"});
    CHECK(queue.pointer().down[0]);  // down for the frame, even though the button is up by now
    CHECK(queue.pointer().position->first == 100);
    CHECK(queue.end_frame());
    CHECK_FALSE(queue.pointer().down[0]);
    CHECK(queue.pointer().position->first == 300);
    CHECK_FALSE(queue.end_frame());
  }
}

}  // namespace md::panels
