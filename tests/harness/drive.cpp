#include "drive.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "accounts/draft.h"
#include "screenshot.h"
#include "setup_panel.h"
#include "sync_panel.h"
#include "token_panel.h"

namespace md::harness {
namespace {

using Clock = std::chrono::steady_clock;

// Words split on blanks; "a b" keeps its blank (also inside key="a b"); no escapes.
std::optional<std::vector<std::string>> split_words(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false, quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
      in_word = true;
    } else if (!quoted && (c == ' ' || c == '\t' || c == '\r')) {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quoted) return std::nullopt;
  if (in_word) words.push_back(word);
  return words;
}

const std::map<std::string, panels::Tab>& tabs() {
  static const std::map<std::string, panels::Tab> t = {{"setup", panels::Tab::setup},
                                                       {"diagnostics", panels::Tab::diagnostics},
                                                       {"token", panels::Tab::token},
                                                       {"sync", panels::Tab::sync},
                                                       {"log", panels::Tab::log}};
  return t;
}

const std::set<std::string>& setup_keys() {
  static const std::set<std::string> k = {"name",    "email",         "username",      "password",      "imap",
                                          "pop3",    "smtp",          "imap_security", "pop3_security", "smtp_security",
                                          "tenant",  "client_id",     "issuer",        "scopes",        "ca_file",
                                          "timeout", "client_secret", "auth"};
  return k;
}

std::optional<Health> parse_health(const std::string& s) {
  if (s == "ok") return Health::ok;
  if (s == "warning") return Health::warning;
  if (s == "failed") return Health::failed;
  return std::nullopt;
}

const char* health_name(Health h) {
  switch (h) {
    case Health::ok: return "ok";
    case Health::warning: return "warning";
    case Health::failed: return "failed";
    case Health::unknown: return "unknown";
  }
  return "?";
}

std::optional<diagnostics::StepStatus> parse_step_status(const std::string& s) {
  for (auto st : {diagnostics::StepStatus::pass, diagnostics::StepStatus::warn, diagnostics::StepStatus::fail,
                  diagnostics::StepStatus::skip})
    if (s == diagnostics::to_string(st)) return st;
  return std::nullopt;
}

// "" when the line is well formed, else what is wrong with it.
std::string check_syntax(const std::vector<std::string>& a) {
  const std::string& verb = a[0];
  const size_t n = a.size() - 1;
  auto count = [&](size_t lo, size_t hi) -> std::string {
    if (n < lo || n > hi)
      return "'" + verb + "' takes " +
             (lo == hi ? std::to_string(lo) : std::to_string(lo) + " to " + std::to_string(hi)) + " argument(s), not " +
             std::to_string(n);
    return "";
  };
  if (verb == "timeout") {
    if (auto e = count(1, 1); !e.empty()) return e;
    char* end = nullptr;
    const double s = std::strtod(a[1].c_str(), &end);
    return end != nullptr && *end == '\0' && s > 0 ? "" : "timeout needs a positive number of seconds";
  }
  if (verb == "wait") {
    if (n == 0) return "wait needs what to wait for";
    const std::string& what = a[1];
    if (what == "accounts") {
      if (auto e = count(1, 2); !e.empty()) return e;
      return n == 2 && a[2].find_first_not_of("0123456789") != std::string::npos ? "wait accounts N: N is a number"
                                                                                 : "";
    }
    if (what == "token" || what == "sync" || what == "admin") return count(2, 2);
    if (what == "checks") {
      if (auto e = count(2, 3); !e.empty()) return e;
      return n == 3 && !parse_health(a[3]) ? "wait checks NAME [ok|warning|failed]" : "";
    }
    if (what == "sign-in-url" || what == "signed-in" || what == "sign-in-ended" || what == "saved" ||
        what == "reset-preview" || what == "reauth-prompt")
      return count(1, 1);
    return "unknown thing to wait for '" + what + "'";
  }
  if (verb == "select" || verb == "run-checks" || verb == "open-reset" || verb == "refresh-token" || verb == "capture")
    return count(1, 1);
  if (verb == "tab") {
    if (auto e = count(1, 1); !e.empty()) return e;
    return tabs().count(a[1]) ? "" : "tab setup|diagnostics|token|sync|log, not '" + a[1] + "'";
  }
  if (verb == "expect-step") {
    if (auto e = count(3, 4); !e.empty()) return e;
    return parse_step_status(a[3]) ? "" : "expect-step NAME STEP pass|warn|fail|skip [CODE]";
  }
  if (verb == "open-step" || verb == "admin-sign-in" || verb == "reset-sign-in") return count(2, 2);
  if (verb == "authenticate" || verb == "cancel-sign-in" || verb == "save-setup" || verb == "restart-setup" ||
      verb == "cancel-reset" || verb == "quit")
    return count(0, 0);
  if (verb == "setup") {
    if (n == 0 || !accounts::parse_provider(a[1])) return "setup gmail|microsoft|custom key=value...";
    for (size_t i = 2; i < a.size(); ++i) {
      const auto eq = a[i].find('=');
      const std::string key = a[i].substr(0, eq);
      if (eq == std::string::npos || !setup_keys().count(key)) return "setup: unknown field '" + key + "'";
      const std::string value = a[i].substr(eq + 1);
      if (key == "auth" && !accounts::parse_auth_method(value)) return "setup: auth=oauth2|password";
      if (key.size() > 9 && key.compare(key.size() - 9, 9, "_security") == 0 && !accounts::parse_security(value))
        return "setup: " + key + "=tls|starttls|none";
    }
    return "";
  }
  return "unknown step '" + verb + "'";
}

void set_draft_field(accounts::AccountDraft& d, const std::string& key, const std::string& v) {
  if (key == "name") d.name = v;
  if (key == "email") d.email = v;
  if (key == "username") d.username = v;
  if (key == "password") d.password = v;
  if (key == "imap") d.imap = v;
  if (key == "pop3") d.pop3 = v;
  if (key == "smtp") d.smtp = v;
  if (key == "imap_security") d.imap_security = *accounts::parse_security(v);
  if (key == "pop3_security") d.pop3_security = *accounts::parse_security(v);
  if (key == "smtp_security") d.smtp_security = *accounts::parse_security(v);
  if (key == "tenant") d.tenant = v;
  if (key == "client_id") d.client_id = v;
  if (key == "issuer") d.issuer = v;
  if (key == "scopes") d.scopes = v;
  if (key == "ca_file") d.ca_file = v;
  if (key == "timeout") d.timeout = v;
  if (key == "client_secret") d.client_secret = v;
  if (key == "auth") d.auth = *accounts::parse_auth_method(v);
}

std::string failure_text(const Failure& f) {
  return "[" + f.code + "] " + f.detail;
}

// "imap.auth fail auth.bad_credentials, clock skip" for a timeout or mismatch message.
std::string steps_text(const CheckRun& run) {
  std::string s;
  for (const auto& step : run.steps) {
    if (!s.empty()) s += ", ";
    s += step.id + " " + diagnostics::to_string(step.status);
    if (step.failure) s += " " + step.failure->code;
  }
  return s.empty() ? "no steps" : s;
}

bool has_account(const WorkspaceView& view, const std::string& name) {
  return std::any_of(view.accounts.begin(), view.accounts.end(),
                     [&](const AccountSummary& a) { return a.name == name; });
}

}  // namespace

std::unique_ptr<Driver> Driver::load(const std::string& file, std::string& error) {
  std::ifstream in(file);
  if (!in) {
    error = "cannot read " + file;
    return nullptr;
  }
  auto driver = std::unique_ptr<Driver>(new Driver());
  driver->file_ = file;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    auto words = split_words(line);
    std::string problem = !words ? "a quote is not closed" : check_syntax(*words);
    if (!problem.empty()) {
      error = file + ":" + std::to_string(number) + ": '" + line + "': " + problem;
      return nullptr;
    }
    driver->steps_.push_back({number, line.substr(first), std::move(*words)});
  }
  return driver;
}

void Driver::fail(const DriveStep& step, const std::string& message) {
  std::cerr << "maildoctor-harness: --drive " << file_ << ":" << step.line << ": '" << step.text << "': " << message
            << "\n";
  exit_code_ = 1;
  quit_ = true;
}

void Driver::before_frame(const WorkspaceView& view, panels::MainWindowState& ui) {
  if (quit_ || capture_) return;
  while (next_ < steps_.size() && !quit_) {
    const DriveStep& step = steps_[next_];
    const Outcome outcome = run_step(step, view, ui);
    if (quit_) return;
    if (outcome == Outcome::wait) {
      const auto now = Clock::now();
      if (!waiting_since_) waiting_since_ = now;
      if (std::chrono::duration<double>(now - *waiting_since_).count() > timeout_s_) {
        char bound[32];
        std::snprintf(bound, sizeof bound, "%g", timeout_s_);
        fail(step, std::string("not reached within ") + bound + " s: " + waiting_for_);
      }
      return;
    }
    waiting_since_.reset();
    ++next_;
    if (outcome == Outcome::action) return;
  }
}

void Driver::after_render(int fb_width, int fb_height) {
  if (!capture_) return;
  if (capture_->frames_left > 0) --capture_->frames_left;
  if (capture_->frames_left > 0 || Clock::now() < capture_->not_before) return;
  Capture c = std::move(*capture_);
  capture_.reset();
  if (!save_framebuffer_png(fb_width, fb_height, c.file)) {
    fail(c.step, "cannot write the screenshot " + c.file);
    return;
  }
  std::cout << "drive: captured " << c.file << "\n" << std::flush;
}

Driver::Outcome Driver::run_step(const DriveStep& step, const WorkspaceView& view, panels::MainWindowState& ui) {
  const std::vector<std::string>& a = step.args;
  const std::string& verb = a[0];
  if (verb == "timeout") {
    timeout_s_ = std::strtod(a[1].c_str(), nullptr);
    return Outcome::next;
  }
  if (verb == "quit") {
    quit_ = true;
    return Outcome::action;
  }
  if (verb == "capture") {
    // A few frames and a moment to settle: tables measure themselves, a modal's dimming fades in.
    capture_ = Capture{a[1], 3, Clock::now() + std::chrono::milliseconds(300), step};
    return Outcome::action;
  }
  return verb == "wait" ? run_wait(step, view, ui) : run_action(step, view, ui);
}

Driver::Outcome Driver::waiting(std::string what) {
  waiting_for_ = std::move(what);
  return Outcome::wait;
}

// `wait WHAT ...`: next when the window shows it, else wait (the timeout message says what is
// missing); a state that can no longer lead there fails at once.
Driver::Outcome Driver::run_wait(const DriveStep& step, const WorkspaceView& view, const panels::MainWindowState& ui) {
  const std::vector<std::string>& a = step.args;
  const std::string& what = a[1];
  if (what == "accounts") {
    if (view.store_error) {
      fail(step, "the database cannot be used: " + failure_text(*view.store_error));
      return Outcome::wait;
    }
    const size_t want = a.size() > 2 ? std::stoul(a[2]) : 1;
    if (view.store_ready && view.accounts.size() >= want) return Outcome::next;
    return waiting(std::to_string(view.accounts.size()) + " account(s) shown, wanted " + std::to_string(want));
  }
  if (what == "token") {
    const TokenView& t = view.token;
    if (t.account != a[2]) return waiting("the selected account is '" + view.selected + "' (select " + a[2] + ")");
    if (t.load_error) {
      fail(step, "the token cannot be read: " + failure_text(*t.load_error));
      return Outcome::wait;
    }
    if (t.status && !t.loading) return Outcome::next;
    return waiting("the token of '" + a[2] + "' is still loading");
  }
  if (what == "sync") {
    const SyncView& s = view.sync;
    if (s.account != a[2]) return waiting("the selected account is '" + view.selected + "' (select " + a[2] + ")");
    if (s.load_error) {
      fail(step, "the sync status cannot be read: " + failure_text(*s.load_error));
      return Outcome::wait;
    }
    if (s.status && !s.loading) return Outcome::next;
    return waiting("the sync status of '" + a[2] + "' is still loading");
  }
  if (what == "checks") {
    const CheckRun* run = view.check(a[2]);
    if (run == nullptr) return waiting("no check run of '" + a[2] + "' yet (run-checks " + a[2] + ")");
    if (run->error) {
      fail(step, "the checks could not start: " + failure_text(*run->error));
      return Outcome::wait;
    }
    if (run->running || !run->finished_at)
      return waiting("the checks of '" + a[2] + "' are still running (" + steps_text(*run) + ")");
    if (a.size() > 3 && run_health(*run) != *parse_health(a[3])) {
      fail(step, std::string("the checks ended ") + health_name(run_health(*run)) + ": " + steps_text(*run));
      return Outcome::wait;
    }
    return Outcome::next;
  }
  if (what == "sign-in-url") {
    const SignInProgress& p = view.setup.sign_in;
    if (p.state == ConsentState::failed) {
      fail(step, "the sign-in failed: " + (p.failure ? failure_text(*p.failure) : std::string("(no reason)")));
      return Outcome::wait;
    }
    if (p.state == ConsentState::waiting && !p.url.empty()) return Outcome::next;
    return waiting("the setup's sign-in shows no address yet");
  }
  if (what == "signed-in") {
    const SignInProgress& p = view.setup.sign_in;
    if (p.state == ConsentState::failed) {
      fail(step, "the sign-in failed: " + (p.failure ? failure_text(*p.failure) : std::string("(no reason)")));
      return Outcome::wait;
    }
    if (p.state == ConsentState::succeeded && panels::signed_in_for_draft(ui.setup, view.setup)) return Outcome::next;
    return waiting("the setup's sign-in has not succeeded yet");
  }
  if (what == "sign-in-ended") {
    if (view.setup.sign_in.state != ConsentState::waiting) return Outcome::next;
    return waiting("the setup's sign-in is still waiting");
  }
  if (what == "saved") {
    if (view.setup.save == SetupSave::failed) {
      fail(step, "Save failed: " +
                     (view.setup.save_failure ? failure_text(*view.setup.save_failure) : std::string("(no reason)")));
      return Outcome::wait;
    }
    if (view.setup.save == SetupSave::saved) return Outcome::next;
    return waiting("the setup's account is not saved yet");
  }
  if (what == "reset-preview") {
    const ResetView& r = view.reset;
    if (r.stage == ResetStage::failed) {
      fail(step, "the preview failed: " + (r.failure ? failure_text(*r.failure) : std::string("(no reason)")));
      return Outcome::wait;
    }
    if (r.stage == ResetStage::ready && r.preview && r.account == ui.sync.reset.account) return Outcome::next;
    return waiting("the counter reset's preview is not ready");
  }
  if (what == "reauth-prompt") {
    if (ui.token.reauth_prompt.is_open()) return Outcome::next;
    const TokenView& t = view.token;
    return waiting("no re-authentication prompt; last refresh failure: " +
                   (t.refresh_failure ? failure_text(*t.refresh_failure) : std::string("none")) +
                   (t.refreshing ? " (refreshing)" : ""));
  }
  if (what == "admin") {
    const AdminView& ad = view.admin;
    if (ad.session && ad.session->user == a[2]) return Outcome::next;
    if (!ad.busy && ad.failure) {
      fail(step, "the admin sign-in failed: " + failure_text(*ad.failure));
      return Outcome::wait;
    }
    return waiting("no admin signed in to the window");
  }
  fail(step, "unknown thing to wait for");  // check_syntax let it through
  return Outcome::action;
}

// The other steps: what a click or a key would do (one a frame, whose effect the next frame
// shows), or a check of what the window shows.
Driver::Outcome Driver::run_action(const DriveStep& step, const WorkspaceView& view, panels::MainWindowState& ui) {
  const std::vector<std::string>& a = step.args;
  const std::string& verb = a[0];
  auto need_account = [&](const std::string& name) {
    if (has_account(view, name)) return true;
    fail(step, "no account '" + name + "' in the window");
    return false;
  };

  if (verb == "select") {
    if (!need_account(a[1])) return Outcome::action;
    ui.selected_first = true;        // the window's own first selection must not undo this one
    ui.diagnostics.subject.clear();  // the account's checks, not a quick test (as a click does)
    ui.out.send(cmd::SelectAccount{a[1]});
    return Outcome::action;
  }
  if (verb == "tab") {
    ui.bring_to_front = tabs().at(a[1]);
    return Outcome::action;
  }
  if (verb == "run-checks") {
    if (need_account(a[1])) ui.out.send(cmd::RunChecks{a[1]});
    return Outcome::action;
  }
  if (verb == "expect-step" || verb == "open-step") {
    const CheckRun* run = view.check(a[1]);
    if (run == nullptr || run->running) {
      fail(step, "no finished check run of '" + a[1] + "' (wait checks " + a[1] + " first)");
      return Outcome::action;
    }
    auto it = std::find_if(run->steps.begin(), run->steps.end(),
                           [&](const diagnostics::StepResult& s) { return s.id == a[2]; });
    if (it == run->steps.end()) {
      fail(step, "the checks of '" + a[1] + "' have no step '" + a[2] + "': " + steps_text(*run));
      return Outcome::action;
    }
    if (verb == "open-step") {
      if (!panels::step_opens(*it)) fail(step, "step '" + a[2] + "' has nothing to open");
      ui.diagnostics.opened.insert(a[2]);
      return Outcome::action;
    }
    const std::string code = it->failure ? it->failure->code : "";
    if (it->status != *parse_step_status(a[3]) || (a.size() > 4 && code != a[4]))
      fail(step, std::string("step is ") + diagnostics::to_string(it->status) + (code.empty() ? "" : " " + code));
    return Outcome::next;
  }
  if (verb == "setup") {
    panels::choose_provider(ui.setup, *accounts::parse_provider(a[1]), ui.out);
    for (size_t i = 2; i < a.size(); ++i) {
      const auto eq = a[i].find('=');
      const std::string key = a[i].substr(0, eq);
      set_draft_field(ui.setup.draft, key, a[i].substr(eq + 1));
      if (key == "name") ui.setup.name_edited = true;
    }
    return Outcome::action;
  }
  if (verb == "authenticate") {
    if (!panels::authenticate(ui.setup, view, false, ui.out)) {
      std::string why;
      for (const auto& p : accounts::check_draft(ui.setup.draft, panels::account_names(view)))
        why += (why.empty() ? "" : "; ") + p.message;
      fail(step, "Authenticate is not possible now" + (why.empty() ? std::string() : ": " + why));
    }
    return Outcome::action;
  }
  if (verb == "cancel-sign-in") {
    ui.out.send(cmd::CancelConsent{});
    return Outcome::action;
  }
  if (verb == "save-setup") {
    if (!panels::save_account(ui.setup, view, ui.out)) fail(step, "Save is not possible now");
    return Outcome::action;
  }
  if (verb == "restart-setup") {
    panels::restart_setup(ui.setup, ui.out);
    return Outcome::action;
  }
  if (verb == "admin-sign-in") {
    cmd::AdminSignIn c;
    c.user = a[1];
    c.password = a[2];
    ui.out.send(std::move(c));
    return Outcome::action;
  }
  if (verb == "open-reset") {
    if (view.selected != a[1]) {
      fail(step, "the selected account is '" + view.selected + "' (select " + a[1] + " first)");
      return Outcome::action;
    }
    panels::open_reset_flow(ui.sync.reset, view, ui.out);
    return Outcome::action;
  }
  if (verb == "reset-sign-in") {
    panels::ResetFlowState& flow = ui.sync.reset;
    std::snprintf(flow.user, sizeof flow.user, "%s", a[1].c_str());
    std::snprintf(flow.password, sizeof flow.password, "%s", a[2].c_str());
    if (!panels::continue_to_confirm(flow)) fail(step, "the reset flow is not at its sign-in (open-reset first)");
    return Outcome::action;
  }
  if (verb == "cancel-reset") {
    panels::cancel_reset_flow(ui.sync.reset, ui.out);
    return Outcome::action;
  }
  if (verb == "refresh-token") {
    if (view.token.account != a[1]) {
      fail(step, "the selected account is '" + view.selected + "' (select " + a[1] + " first)");
      return Outcome::action;
    }
    ui.out.send(cmd::RefreshToken{a[1]});
    return Outcome::action;
  }
  fail(step, "unknown step");  // check_syntax let through something run_action does not know
  return Outcome::action;
}

}  // namespace md::harness
