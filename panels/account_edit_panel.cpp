#include "account_edit_panel.h"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <utility>

#include "theme.h"
#include "widgets.h"

namespace md::panels {
namespace {

using accounts::AuthMethod;

void close(AccountEditState& state, PanelOutput& out) {
  state.mode = AccountEditMode::closed;
  state.form = SetupPanelState{};  // the typed secrets go with it
  state.form_loaded = false;
  state.waiting = false;
  std::memset(state.admin_password, 0, sizeof state.admin_password);
  out.send(cmd::EditClose{});
}

// Every account name but the one being edited: its own name is not "taken".
std::vector<std::string> other_names(const WorkspaceView& view, const std::string& account) {
  std::vector<std::string> out = account_names(view);
  out.erase(std::remove(out.begin(), out.end(), account), out.end());
  return out;
}

// The answer to what was sent: true once the save or removal finished, well or not.
bool answered(const WorkspaceView& view, const AccountEditState& state) {
  return state.waiting && view.edit.account == state.account && view.edit.serial != state.sent_serial &&
         view.edit.stage != AccountEditStage::saving && view.edit.stage != AccountEditStage::removing;
}

void send_save(const WorkspaceView& view, AccountEditState& state, PanelOutput& out) {
  out.send(cmd::EditSave{state.account, std::make_shared<const accounts::AccountDraft>(state.form.draft)});
  state.sent_serial = view.edit.serial;
  state.waiting = true;
}

// Loading, or why the saved settings could not be read: true while the form cannot show yet.
bool not_ready(const WorkspaceView& view, AccountEditState& state, PanelOutput& out) {
  if (view.edit.account != state.account || view.edit.stage == AccountEditStage::loading) {
    busy_line("Reading the saved settings...", out);
    return true;
  }
  if (!state.form_loaded && view.edit.draft) {
    state.form.draft = *view.edit.draft;
    state.form.provider_chosen = true;
    state.form_loaded = true;
    // The dialog sizes itself to the form over the next frames: draw them now, not at the next
    // mouse move.
    state.settle_frames = 3;
    state.focus_pending = true;  // the dialog's first field takes the keyboard once it shows
  }
  // A save's or removal's answer changes the dialog's size too (a failure shown).
  if (view.edit.serial != state.seen_serial) {
    state.seen_serial = view.edit.serial;
    state.settle_frames = 3;
  }
  if (state.settle_frames > 0) {
    --state.settle_frames;
    out.redraw_within(0.0);
  }
  if (!state.form_loaded) {
    if (view.edit.failure) failure_block(*view.edit.failure, "The account cannot be read");
    if (ImGui::Button("Close") || state.settings_frame.escape_pressed()) close(state, out);
    return true;
  }
  return false;
}

void draw_settings(const WorkspaceView& view, AccountEditState& state, PanelOutput& out) {
  if (!state.settings_frame.begin(state.mode == AccountEditMode::settings)) return;
  if (not_ready(view, state, out)) {
    state.settings_frame.end();
    return;
  }
  if (answered(view, state)) {
    state.waiting = false;
    if (!view.edit.failure) {
      state.settings_frame.close();
      close(state, out);
      state.settings_frame.end();
      return;
    }
  }
  const auto problems = accounts::check_draft(state.form.draft, other_names(view, state.account));
  // A form taller than the screen scrolls inside; Save stays in view below it.
  const float fields_h = std::min(ImGui::GetFontSize() * 22, ImGui::GetMainViewport()->WorkSize.y * 0.55f);
  ImGui::BeginChild("fields", ImVec2(ImGui::GetFontSize() * 36, fields_h), false);
  draw_account_fields(state.form, view, problems);
  ImGui::EndChild();
  if (view.edit.failure) failure_block(*view.edit.failure, "Not saved");
  const bool saving = view.edit.stage == AccountEditStage::saving;
  if (saving) busy_line("Saving...", out);
  ImGui::BeginDisabled(saving);
  if (ImGui::Button("Save") || state.settings_frame.enter_pressed()) {
    state.form.show_all_problems = true;
    if (problems.empty()) send_save(view, state, out);
  }
  ImGui::EndDisabled();
  item_tooltip("Saves the settings (a new password or client secret encrypted) and runs the account's checks.");
  ImGui::SameLine();
  if (ImGui::Button("Cancel") || state.settings_frame.escape_pressed()) {
    state.settings_frame.close();
    close(state, out);
  }
  state.settings_frame.end();
}

void draw_password(const WorkspaceView& view, AccountEditState& state, PanelOutput& out) {
  if (!state.password_frame.begin(state.mode == AccountEditMode::password)) return;
  if (not_ready(view, state, out)) {
    state.password_frame.end();
    return;
  }
  if (answered(view, state)) {
    state.waiting = false;
    if (!view.edit.failure) {
      state.password_frame.close();
      close(state, out);
      state.password_frame.end();
      return;
    }
  }
  ImGui::TextWrapped("The new password of '%s' (%s). It is kept encrypted and never shown again.",
                     state.account.c_str(), state.form.draft.email.c_str());
  if (std::exchange(state.focus_pending, false)) ImGui::SetKeyboardFocusHere();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 20);
  const bool entered = ImGui::InputText("New password##account_edit", &state.form.draft.password,
                                        ImGuiInputTextFlags_Password | ImGuiInputTextFlags_EnterReturnsTrue);
  if (view.edit.failure) failure_block(*view.edit.failure, "Not saved");
  const bool saving = view.edit.stage == AccountEditStage::saving;
  if (saving) busy_line("Saving...", out);
  const bool ready = !state.form.draft.password.empty() && !saving;
  ImGui::BeginDisabled(!ready);
  if (ImGui::Button("Save password") || (entered && ready)) send_save(view, state, out);
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("Cancel") || state.password_frame.escape_pressed()) {
    state.password_frame.close();
    close(state, out);
  }
  state.password_frame.end();
}

void draw_remove(const WorkspaceView& view, AccountEditState& state, PanelOutput& out) {
  if (!state.remove_frame.begin(state.mode == AccountEditMode::remove)) return;
  if (not_ready(view, state, out)) {
    state.remove_frame.end();
    return;
  }
  if (answered(view, state)) {
    state.waiting = false;
    if (!view.edit.failure) {
      state.remove_frame.close();
      close(state, out);
      state.remove_frame.end();
      return;
    }
  }
  ImGui::TextWrapped("Remove '%s' (%s) from MailDoctor?", state.account.c_str(), state.form.draft.email.c_str());
  hint_text(
      "Its saved password or sign-in is deleted, and the sign-in is revoked at the provider where it allows it. "
      "The mailbox itself is not touched.");
  const bool needs_admin = removal_needs_admin_credentials(view);
  if (view.edit.footprint && !view.edit.footprint->empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, colour::warning);
    ImGui::TextWrapped(
        "It also forgets the download counter (last UID %lld) and %lld stored message(s): set up again, the "
        "mailbox would be downloaded from the start. That is a counter reset, so it needs an admin%s.",
        view.edit.footprint->last_uid, view.edit.footprint->stored_messages,
        view.admin.session ? (", and is recorded as " + view.admin.session->user + "'s").c_str() : "");
    ImGui::PopStyleColor();
  }
  if (needs_admin) {
    if (std::exchange(state.focus_pending, false)) ImGui::SetKeyboardFocusHere();
    ImGui::InputText("Admin user##account_edit", state.admin_user, sizeof state.admin_user);
    ImGui::InputText("Admin password##account_edit", state.admin_password, sizeof state.admin_password,
                     ImGuiInputTextFlags_Password);
  }
  if (view.edit.failure) failure_block(*view.edit.failure, "Not removed");
  const bool removing = view.edit.stage == AccountEditStage::removing;
  if (removing) busy_line("Removing...", out);
  const bool ready = !removing && (!needs_admin || (state.admin_user[0] != '\0' && state.admin_password[0] != '\0'));
  ImGui::BeginDisabled(!ready);
  ImGui::PushStyleColor(ImGuiCol_Button, colour::failure);
  if (ImGui::Button("Remove")) {
    cmd::EditRemove c{state.account, {}, {}};
    if (needs_admin) {
      c.user = state.admin_user;
      c.password = state.admin_password;
      std::memset(state.admin_password, 0, sizeof state.admin_password);
    }
    out.send(std::move(c));
    state.sent_serial = view.edit.serial;
    state.waiting = true;
  }
  ImGui::PopStyleColor();
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("Cancel") || state.remove_frame.escape_pressed()) {
    state.remove_frame.close();
    close(state, out);
  }
  ImGui::SetItemDefaultFocus();  // the safe answer
  state.remove_frame.end();
}

}  // namespace

void open_account_edit(AccountEditState& state, const std::string& account, AccountEditMode mode, PanelOutput& out) {
  state.mode = mode;
  state.account = account;
  state.form = SetupPanelState{};
  state.form_loaded = false;
  state.waiting = false;
  std::memset(state.admin_password, 0, sizeof state.admin_password);
  out.send(cmd::EditOpen{account});
}

bool removal_needs_admin_credentials(const WorkspaceView& view) {
  return view.edit.footprint && !view.edit.footprint->empty() && !view.admin.session;
}

void draw_account_edit(const WorkspaceView& view, AccountEditState& state, PanelOutput& out) {
  draw_settings(view, state, out);
  draw_password(view, state, out);
  draw_remove(view, state, out);
}

}  // namespace md::panels
