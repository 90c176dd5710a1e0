#include "live_strip.h"

#include <imgui.h>

#include <cmath>

#include "diagnostics/catalogue.h"
#include "diagnostics_panel.h"
#include "theme.h"
#include "token_panel.h"
#include "widgets.h"

namespace md::panels {
namespace {

using std::chrono::system_clock;

// The first step that failed, else the first that warned.
const diagnostics::StepResult* first_problem(const CheckRun& run) {
  for (auto status : {diagnostics::StepStatus::fail, diagnostics::StepStatus::warn})
    for (const diagnostics::StepResult& s : run.steps)
      if (s.status == status) return &s;
  return nullptr;
}

LiveStatus draft_status(const WorkspaceView& view, bool oauth_draft) {
  const SignInProgress& p = view.setup.sign_in;
  if (view.setup.save == SetupSave::saving) return {Health::unknown, true, "Saving the account...", ""};
  if (view.setup.save == SetupSave::failed && view.setup.save_failure) {
    const auto e = diagnostics::explain(*view.setup.save_failure);
    return {Health::failed, false, "Not saved: " + e.title + " [" + e.code + "]", e.reason + "\n" + e.remedy};
  }
  switch (p.state) {
    case ConsentState::waiting:
      return {Health::unknown, true,
              p.mode == SignInMode::device ? "Signing in with a code: waiting for it to be entered"
                                           : "Signing in: waiting for the browser",
              ""};
    case ConsentState::failed: {
      if (!p.failure) break;
      const auto e = diagnostics::explain(*p.failure);
      return {Health::failed, false, "Sign-in failed: " + e.title + " [" + e.code + "]", e.reason + "\n" + e.remedy};
    }
    case ConsentState::succeeded: return {Health::ok, false, "Signed in as " + p.identity + "; not saved yet", ""};
    case ConsentState::idle: break;
  }
  return {Health::unknown, false,
          oauth_draft ? "Not signed in yet: Authenticate opens the provider's sign-in"
                      : "Not saved yet: Save runs its checks",
          ""};
}

}  // namespace

LiveSubject live_subject(const WorkspaceView& view, bool setup_in_front, bool setup_provider_chosen,
                         const std::string& draft_name) {
  if (setup_in_front && setup_provider_chosen && !draft_name.empty() && view.setup.save != SetupSave::saved)
    return {draft_name, true};
  return {view.selected, false};
}

LiveStatus live_status(const WorkspaceView& view, const LiveSubject& subject, bool oauth_draft) {
  if (subject.name.empty()) return {Health::unknown, false, "No account selected", ""};
  if (subject.draft) return draft_status(view, oauth_draft);
  const CheckRun* run = view.check(subject.name);
  if (run == nullptr) {
    // The list knows how the last checks ended before their report is read back.
    const AccountSummary* a = view.selected_account();
    const Health h = a ? a->health : Health::unknown;
    return {h, false,
            h == Health::ok       ? "The last checks passed"
            : h == Health::failed ? "The last checks failed: see Diagnostics"
                                  : "No checks have run yet",
            ""};
  }
  if (run->running) return {Health::unknown, true, run_summary(*run), ""};
  if (run->error) {
    const auto e = diagnostics::explain(*run->error);
    return {Health::failed, false, "Checks could not run: " + e.title + " [" + e.code + "]", e.remedy};
  }
  const std::string when = run->finished_at ? " (" + local_time(*run->finished_at) + ")" : "";
  if (const diagnostics::StepResult* s = first_problem(*run)) {
    const Health h = health_of(s->status);
    if (!s->failure) return {h, false, s->title + ": " + s->detail + when, ""};
    return {h, false, s->title + ": " + s->failure->title + " [" + s->failure->code + "]" + when,
            s->failure->reason + "\n" + s->failure->remedy};
  }
  return {run_health(*run), false, run_summary(*run) + when, ""};
}

std::string live_token_line(const WorkspaceView& view, const LiveSubject& subject) {
  if (subject.draft || subject.name.empty() || subject.name != view.selected) return "";
  const AccountSummary* a = view.selected_account();
  if (a == nullptr) return "";
  if (!a->oauth) return "Password sign-in";
  if (view.token.account != subject.name || !view.token.status) return "";
  if (dead_token_failure(view.token, view.now)) return "Sign-in dead: re-authenticate";
  const tokens::TokenStatus& s = *view.token.status;
  if (!s.signed_in) return "Not signed in";
  if (!s.expires_at) return "Access token: expiry unknown";
  const long long left = s.seconds_left(view.now);
  if (left <= 0) return s.refreshable ? "Access token expired: refreshed at the next use" : "Access token expired";
  return "Access token: expires in " + format_age(left);
}

double live_token_redraw_in(const WorkspaceView& view, const LiveSubject& subject) {
  if (live_token_line(view, subject).rfind("Access token: expires in", 0) != 0) return PanelOutput::kNoTimedRedraw;
  const long long left = view.token.status->seconds_left(view.now);
  // format_age shows seconds under a minute, minutes under a day: wake when its text changes.
  if (left < 60) return seconds_to_next_tick(*view.token.status->expires_at, view.now);
  const double exact = std::chrono::duration<double>(*view.token.status->expires_at - view.now).count();
  const double unit = left < 86400 ? 60.0 : 3600.0;
  return std::fmod(exact, unit) + 0.002;
}

std::string live_sync_line(const WorkspaceView& view, const LiveSubject& subject) {
  if (subject.draft || subject.name.empty() || view.sync.account != subject.name || !view.sync.status) return "";
  const sync::SyncStatus& s = *view.sync.status;
  if (!s.protocol) return "No IMAP or POP3 server: nothing to download";
  if (!s.state) return "Not synced yet";
  if (*s.protocol == accounts::Protocol::pop3)
    return "POP3: " + std::to_string(s.pop3_uidls) + " message(s) downloaded";
  std::string line = "Last synced UID " + std::to_string(s.state->last_uid);
  if (s.state->uidvalidity) line += " (UIDVALIDITY " + std::to_string(*s.state->uidvalidity) + ")";
  return line;
}

size_t live_strip_rows(float area_height) {
  return area_height >= ImGui::GetFontSize() * 40 ? kLiveTailLines : 2;
}

float live_strip_height(size_t rows) {
  const ImGuiStyle& style = ImGui::GetStyle();
  // Two lines of state, a separator, the log lines; the child's own padding.
  return ImGui::GetFrameHeightWithSpacing() + ImGui::GetTextLineHeightWithSpacing() +
         ImGui::GetTextLineHeightWithSpacing() * static_cast<float>(rows) + style.ItemSpacing.y * 2;
}

void draw_live_strip(const WorkspaceView& view, const LiveSubject& subject, bool oauth_draft, size_t rows,
                     PanelOutput& out, bool& open_log) {
  const LiveStatus status = live_status(view, subject, oauth_draft);
  if (status.busy) {
    spinner();
    out.redraw_within(kSpinnerFrameS);
  } else {
    status_icon(status.health);
  }
  ImGui::SameLine();
  const std::string who = subject.name.empty() ? ""
                          : subject.draft      ? "Setting up '" + subject.name + "'"
                                               : subject.name;
  if (!who.empty()) {
    ImGui::TextUnformatted(who.c_str());
    ImGui::SameLine();
    ImGui::TextDisabled("|");
    ImGui::SameLine();
  }
  ImGui::PushStyleColor(ImGuiCol_Text,
                        status.health == Health::failed ? colour::failure : ImGui::GetStyleColorVec4(ImGuiCol_Text));
  ImGui::TextUnformatted(status.text.c_str());
  ImGui::PopStyleColor();
  if (!status.tooltip.empty()) item_tooltip(status.tooltip.c_str());

  const std::string token = live_token_line(view, subject);
  const std::string synced = live_sync_line(view, subject);
  ImGui::PushStyleColor(ImGuiCol_Text, colour::muted);
  if (token.empty() && synced.empty())
    ImGui::TextUnformatted(subject.draft ? "Its protocol log so far:" : " ");
  else
    ImGui::Text("%s%s%s", token.c_str(), token.empty() || synced.empty() ? "" : "    ", synced.c_str());
  ImGui::PopStyleColor();
  out.redraw_within(live_token_redraw_in(view, subject));
  if (!subject.draft && !subject.name.empty()) {
    ImGui::SameLine(ImGui::GetContentRegionMax().x - ImGui::CalcTextSize("Protocol log").x -
                    ImGui::GetStyle().FramePadding.x * 2);
    if (ImGui::SmallButton("Protocol log")) open_log = true;
    item_tooltip("All of this account's protocol log, with filters.");
  }

  ImGui::Separator();
  // The newest lines, one screen line each (the rest is clipped): what is happening now.
  if (view.live.subject != subject.name || view.live.lines.empty()) {
    ImGui::TextDisabled("%s", subject.name.empty() ? "" : "No protocol lines yet.");
    return;
  }
  const std::vector<protolog::Entry>& lines = view.live.lines;
  for (size_t i = lines.size() > rows ? lines.size() - rows : 0; i < lines.size(); ++i) {
    const protolog::Entry& e = lines[i];
    const auto protocol = parse_log_protocol(e.protocol);
    ImGui::PushStyleColor(ImGuiCol_Text, log_line_colour(e.direction));
    ImGui::Text("%s %-4s %c %s", local_clock_time(e.at).c_str(), to_string(protocol),
                e.direction == protolog::Direction::client   ? 'C'
                : e.direction == protolog::Direction::server ? 'S'
                                                             : '*',
                e.text.c_str());
    ImGui::PopStyleColor();
  }
}

}  // namespace md::panels
