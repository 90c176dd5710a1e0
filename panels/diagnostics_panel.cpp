#include "diagnostics_panel.h"

#include <imgui.h>

#include <chrono>

#include "theme.h"
#include "widgets.h"

namespace md::panels {
namespace {

using diagnostics::StepResult;
using diagnostics::StepStatus;

double seconds_between(std::chrono::system_clock::time_point a, std::chrono::system_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

void draw_toolbar(const WorkspaceView& view, DiagnosticsPanelState& state, const CheckRun* run, PanelOutput& out) {
  const AccountSummary* account = view.selected_account();
  const bool running = run != nullptr && run->running;
  ImGui::BeginDisabled(account == nullptr || running || !state.subject.empty());
  if (ImGui::Button("Run checks") && account != nullptr) out.send(cmd::RunChecks{account->name});
  ImGui::EndDisabled();
  item_tooltip(account == nullptr ? "Select an account on the left first."
                                  : "DNS, TCP, TLS, greeting, capabilities, sign-in and mailbox for every protocol "
                                    "of the account, plus the OAuth endpoints, the token and the clock.");
  ImGui::SameLine();
  if (ImGui::Button("Quick connectivity test (no account)")) ImGui::OpenPopup("quick_test_menu");
  item_tooltip(
      "Checks that this network reaches a provider's sign-in and mail servers (DNS, firewall, TLS "
      "inspection, proxy), without an account.");
  if (ImGui::BeginPopup("quick_test_menu")) {
    for (accounts::Provider p : {accounts::Provider::gmail, accounts::Provider::microsoft}) {
      const char* label = p == accounts::Provider::gmail ? "Gmail" : "Microsoft 365 / Outlook.com";
      if (ImGui::MenuItem(label)) {
        out.send(cmd::RunQuickCheck{p});
        state.subject = quick_check_key(p);
      }
    }
    ImGui::EndPopup();
  }
  ImGui::SameLine();
  ImGui::BeginDisabled(account == nullptr || view.report.saving);
  if (ImGui::Button("Save report...") && account != nullptr) out.send(cmd::SaveReport{account->name});
  ImGui::EndDisabled();
  item_tooltip(
      "Writes the support report of this account (HTML: settings, token status, the last check, the "
      "protocol log) into the data folder's reports/. It holds no password, token or client secret.");
  if (running) {
    ImGui::SameLine();
    ImGui::BeginDisabled(run->cancelling);
    if (ImGui::Button("Cancel")) out.send(cmd::CancelChecks{shown_check_key(view, state)});
    ImGui::EndDisabled();
    item_tooltip("Stops after the step that is running now; each step is bounded by the account's timeout.");
  }
  if (!state.subject.empty()) {
    ImGui::SameLine();
    if (ImGui::Button(account ? "Back to the account" : "Close the quick test")) state.subject.clear();
  }
}

void draw_explanation(const StepResult& step) {
  ImGui::PushID("explain");
  if (step.failure) {
    const auto& f = *step.failure;
    copyable_field("Failure code", f.code + "  (" + f.title + ")");
    copyable_field("What happened", f.reason);
    copyable_field("What to do", f.remedy);
    if (!f.detail.empty() && f.detail != step.detail) copyable_field("Details", f.detail);
  }
  if (!step.evidence.empty()) {
    std::string all;
    for (const std::string& e : step.evidence) all += e + "\n";
    copyable_field("Evidence (the server's own words)", all);
  }
  copy_button(
      "Copy the whole step as JSON",
      [&] { return diagnostics::to_json(step).dump(2, ' ', false, nlohmann::json::error_handler_t::replace); },
      "The step's code, reason, remedy and the server's words, for a ticket.", true);
  ImGui::PopID();
}

void draw_step_row(const StepResult& step, int index, DiagnosticsPanelState& state) {
  ImGui::PushID(index);
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  const bool opens = step_opens(step);
  bool open = opens && state.opened.count(step.id) != 0;
  // The whole row is the click target: a red cross is found by eye, then opened anywhere on it.
  if (ImGui::Selectable("##row", open, ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowItemOverlap) &&
      opens) {
    if (open)
      state.opened.erase(step.id);
    else
      state.opened.insert(step.id);
    open = !open;
  }
  if (opens && ImGui::IsItemHovered()) ImGui::SetTooltip(open ? "Click to close" : "Click for the reason and remedy");
  ImGui::SameLine(0, 0);
  if (opens) {
    disclosure_arrow(open);
    ImGui::SameLine();
  }
  ImGui::TextUnformatted(step.id.c_str());
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", step.title.c_str());
  ImGui::TableNextColumn();
  step_icon(step.status);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", diagnostics::to_string(step.status));
  ImGui::TableNextColumn();
  if (step.status == StepStatus::skip)
    ImGui::TextDisabled("-");
  else
    ImGui::Text("%lld ms", step.duration_ms);
  ImGui::TableNextColumn();
  ImGui::TextWrapped("%s", step.title.c_str());
  if (!step.detail.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, step.status == StepStatus::fail ? colour::failure : colour::muted);
    ImGui::TextWrapped("%s", step.detail.c_str());
    ImGui::PopStyleColor();
  }
  if (open) {
    ImGui::Separator();
    draw_explanation(step);
  }
  ImGui::PopID();
}

void draw_table(const WorkspaceView& view, const CheckRun& run, DiagnosticsPanelState& state, PanelOutput& out) {
  constexpr ImGuiTableFlags kFlags =
      ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable("ladder", 4, kFlags, ImVec2(0, ImGui::GetContentRegionAvail().y))) return;
  const float em = ImGui::GetFontSize();
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("Step", ImGuiTableColumnFlags_WidthFixed, em * 11);
  ImGui::TableSetupColumn("Status", ImGuiTableColumnFlags_WidthFixed, em * 3);
  ImGui::TableSetupColumn("Duration", ImGuiTableColumnFlags_WidthFixed, em * 4.5f);
  ImGui::TableSetupColumn("Detail", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableHeadersRow();
  for (int i = 0; i < static_cast<int>(run.steps.size()); ++i)
    draw_step_row(run.steps[static_cast<size_t>(i)], i, state);
  if (run.running) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextDisabled(run.cancelling ? "stopping" : "running");
    ImGui::TableNextColumn();
    spinner();
    ImGui::TableNextColumn();
    ImGui::Text("%.0f s", seconds_between(run.started_at, view.now));
    ImGui::TableNextColumn();
    if (run.cancelling)
      ImGui::TextWrapped("Stopping after the current step (at most %d s).", run.step_timeout_s);
    else
      hint_text("The next step is running; each step gives up after the account's timeout.");
    out.redraw_within(kSpinnerFrameS);
  }
  ImGui::EndTable();
}

}  // namespace

std::string shown_check_key(const WorkspaceView& view, const DiagnosticsPanelState& state) {
  return state.subject.empty() ? view.selected : state.subject;
}

bool step_opens(const StepResult& step) {
  return step.status != StepStatus::skip && step.status != StepStatus::pass && (step.failure || !step.evidence.empty());
}

std::string run_summary(const CheckRun& run) {
  int failed = 0, warned = 0;
  for (const StepResult& s : run.steps) {
    failed += s.status == StepStatus::fail;
    warned += s.status == StepStatus::warn;
  }
  const std::string n = std::to_string(run.steps.size());
  if (run.error) return "Could not run: [" + run.error->code + "] " + run.error->detail;
  if (run.running) return "Running: " + n + " step(s) done";
  std::string s = run.cancelled ? "Cancelled after " + n + " step(s)"
                  : failed == 0 ? "All " + n + " checks passed"
                                : std::to_string(failed) + " of " + n + " checks failed";
  if (warned > 0) s += " (" + std::to_string(warned) + " warning" + (warned > 1 ? "s)" : ")");
  return s;
}

void draw_diagnostics_panel(const WorkspaceView& view, DiagnosticsPanelState& state, PanelOutput& out) {
  const std::string key = shown_check_key(view, state);
  const CheckRun* run = view.check(key);
  heading(run && run->quick       ? ("Quick connectivity test: " + run->subject).c_str()
          : view.selected.empty() ? "Diagnostics"
                                  : ("Diagnostics: " + view.selected).c_str());
  draw_toolbar(view, state, run, out);
  saved_file_line(view.report, view.selected, "Report saved to", out);
  ImGui::Spacing();
  if (run == nullptr) {
    hint_text(view.selected.empty()
                  ? "Select an account to run the check ladder, or run the quick connectivity test to see whether "
                    "this network reaches Gmail or Microsoft 365."
                  : "No checks have run for this account in this session. Every red cross opens to the failure code, "
                    "the reason, the remedy and the server's own words.");
    return;
  }
  const Health h = run_health(*run);
  if (run->running) {
    spinner();
    out.redraw_within(kSpinnerFrameS);
  } else {
    status_icon(h);
  }
  ImGui::SameLine();
  const ImVec4 colour = h == Health::failed ? colour::failure : h == Health::warning ? colour::warning : colour::muted;
  ImGui::PushStyleColor(ImGuiCol_Text, run->running ? colour::muted : colour);
  ImGui::TextWrapped("%s", run_summary(*run).c_str());
  ImGui::PopStyleColor();
  if (run->stored) {
    // After a restart the last result stays in view, dated, until a new run replaces it.
    hint_text(("The last check, run " + local_time(run->started_at) +
               " before MailDoctor was restarted. Run checks for a fresh one.")
                  .c_str());
    utc_tooltip(run->started_at);
  }
  if (run->error) {
    const auto e = diagnostics::explain(*run->error);
    hint_text(e.remedy.c_str());
    return;
  }
  draw_table(view, *run, state, out);
}

}  // namespace md::panels
