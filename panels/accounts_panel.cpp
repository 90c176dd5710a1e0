#include "accounts_panel.h"

#include <imgui.h>

#include "widgets.h"

namespace md::panels {
namespace {

// Edit, Change password / Re-authenticate and Remove for one account: as menu items, or as buttons
// under the list for the selected one.
void draw_account_actions(const WorkspaceView& view, MainWindowState& state, const AccountSummary& a, bool menu) {
  auto action = [&](const char* label, const char* tooltip) {
    const bool chosen = menu ? ImGui::MenuItem(label) : ImGui::Button(label, ImVec2(-1, 0));
    if (!menu) item_tooltip(tooltip);
    return chosen;
  };
  if (action("Edit settings...", "Change the address, servers, sign-in settings or CA file; the checks run again."))
    open_account_edit(state.edit, a.name, AccountEditMode::settings, state.out);
  if (!a.oauth) {
    if (action("Change password...", "Save a new password for the mail servers (kept encrypted)."))
      open_account_edit(state.edit, a.name, AccountEditMode::password, state.out);
  } else if (action("Re-authenticate", "Sign in again in the browser (or with a device code).")) {
    if (view.selected != a.name) state.out.send(cmd::SelectAccount{a.name});
    state.out.send(cmd::Reauthenticate{a.name});
    state.bring_to_front = Tab::token;
  }
  if (action("Remove...", "Remove the account from MailDoctor (asks first; the mailbox is not touched)."))
    open_account_edit(state.edit, a.name, AccountEditMode::remove, state.out);
}

}  // namespace

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
      state.out.send(cmd::SelectAccount{a.name});
      state.diagnostics.subject.clear();  // the account's own checks, not a quick test
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s (%s)", a.email.c_str(), a.provider.c_str());
    if (ImGui::BeginPopupContextItem("account_menu")) {
      draw_account_actions(view, state, a, true);
      ImGui::EndPopup();
    }
    ImGui::PopID();
  }
  ImGui::Spacing();
  if (ImGui::Button("Add account", ImVec2(-1, 0))) {
    // What is typed in a setup under way stays; a finished one starts afresh.
    if (view.setup.save == SetupSave::saved) restart_setup(state.setup, state.out);
    state.bring_to_front = Tab::setup;
  }
  item_tooltip("Set up a Gmail, Microsoft 365 / Outlook.com or other account, step by step.");
  // The selected account's own fixes, also on its right-click menu.
  if (const AccountSummary* selected = view.selected_account()) {
    ImGui::Spacing();
    hint_text(selected->name.c_str());
    draw_account_actions(view, state, *selected, false);
  }
}

}  // namespace md::panels
