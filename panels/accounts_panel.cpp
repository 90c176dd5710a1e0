#include "accounts_panel.h"

#include <imgui.h>

#include "widgets.h"

namespace md::panels {

void draw_accounts_panel(const WorkspaceView& view, MainWindowState& state) {
  heading("Accounts");
  if (view.accounts.empty()) {
    ImGui::Spacing();
    hint_text("No accounts yet.");
    hint_text("Add a Gmail, Microsoft 365 / Outlook.com or other account to set it up and see why it works or not.");
  }
  for (int i = 0; i < static_cast<int>(view.accounts.size()); ++i) {
    const AccountSummary& a = view.accounts[static_cast<size_t>(i)];
    ImGui::PushID(i);
    status_icon(a.health);
    ImGui::SameLine();
    if (ImGui::Selectable(a.name.c_str(), view.selected == a.name)) {
      state.out.send({Command::Kind::select_account, a.name});
      state.diagnostics.subject.clear();  // the account's own checks, not a quick test
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s (%s)", a.email.c_str(), a.provider.c_str());
    ImGui::PopID();
  }
  ImGui::Spacing();
  // Setting an account up arrives with the setup flow; until then the button says so.
  ImGui::BeginDisabled();
  ImGui::Button("Add account", ImVec2(-1, 0));
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    ImGui::SetTooltip("The setup flow is not in this build yet; use 'maildoctor account add' when it lands.");
}

}  // namespace md::panels
