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
  if (ImGui::Button("Add account", ImVec2(-1, 0))) {
    // What is typed in a setup under way stays; a finished one starts afresh.
    if (view.setup.save == SetupSave::saved) restart_setup(state.setup, state.out);
    state.bring_to_front = Tab::setup;
  }
  item_tooltip("Set up a Gmail, Microsoft 365 / Outlook.com or other account, step by step.");
}

}  // namespace md::panels
