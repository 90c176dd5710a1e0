#include "admin_bar.h"

#include <imgui.h>

#include <cstring>
#include <string>

#include "admin/password.h"
#include "theme.h"
#include "widgets.h"

namespace md::panels {
namespace {

void clear_form(AdminBarState& state) {
  std::memset(state.password, 0, sizeof state.password);
  std::memset(state.repeat, 0, sizeof state.repeat);
}

void open_form(AdminBarState& state, AdminForm form) {
  state.form = form;
  state.waiting = false;
  clear_form(state);
}

void close_form(AdminBarState& state) {
  state.form = AdminForm::closed;
  state.waiting = false;
  clear_form(state);
}

// Sends a sign-in or the first admin's creation (cmd::AdminSignIn, cmd::AddFirstAdmin) with what
// the form holds, and clears it.
template <class Credentials>
void send_credentials(AdminBarState& state, const WorkspaceView& view, PanelOutput& out) {
  out.send(Credentials{state.user, state.password});
  clear_form(state);
  state.waiting = true;
  state.sent_serial = view.admin.serial;
}

// The answer to what the form sent: closes on success, shows the failure otherwise.
bool answered(const WorkspaceView& view, AdminBarState& state) {
  if (!state.waiting || view.admin.busy || view.admin.serial == state.sent_serial) return false;
  if (view.admin.session && !view.admin.failure) {
    close_form(state);
    return true;
  }
  state.waiting = false;
  return false;
}

void draw_sign_in(const WorkspaceView& view, AdminBarState& state, PanelOutput& out) {
  ImGui::TextWrapped("Sign in as an admin of this MailDoctor to reset mailbox counters and re-authenticate accounts.");
  ImGui::Spacing();
  // The keyboard starts where the typing is: the name, or the password when the name is filled in.
  if (ImGui::IsWindowAppearing() && state.user[0] == '\0') ImGui::SetKeyboardFocusHere();
  // Enter in the name goes on to the password, as Tab does.
  const bool name_entered =
      ImGui::InputText("Admin user", state.user, sizeof state.user, ImGuiInputTextFlags_EnterReturnsTrue);
  if ((ImGui::IsWindowAppearing() && state.user[0] != '\0') || (name_entered && state.user[0] != '\0'))
    ImGui::SetKeyboardFocusHere();
  const bool entered = ImGui::InputText("Password", state.password, sizeof state.password,
                                        ImGuiInputTextFlags_Password | ImGuiInputTextFlags_EnterReturnsTrue);
  if (!state.waiting && view.admin.failure && view.admin.serial != 0)
    failure_block(*view.admin.failure, "Not signed in");
  const bool ready = state.user[0] != '\0' && state.password[0] != '\0' && !view.admin.busy;
  if (view.admin.busy) busy_line("Checking the password...", out);
  ImGui::BeginDisabled(!ready);
  if (ImGui::Button("Sign in") || (entered && ready)) send_credentials<cmd::AdminSignIn>(state, view, out);
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("Cancel") || state.sign_in_frame.escape_pressed()) close_form(state);
}

void draw_first_admin(const WorkspaceView& view, AdminBarState& state, PanelOutput& out) {
  ImGui::TextWrapped(
      "This MailDoctor has no admin yet. Admins may reset a mailbox's download counter; every reset is "
      "audited with their name. Create the first admin now (more can be added by an admin later).");
  ImGui::Spacing();
  if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
  ImGui::InputText("Admin user", state.user, sizeof state.user);
  ImGui::InputText("Password", state.password, sizeof state.password, ImGuiInputTextFlags_Password);
  // Said before the first try, not only after a refusal.
  hint_text(("At least " + std::to_string(admin::kMinPasswordChars) + " characters.").c_str());
  const bool entered = ImGui::InputText("Repeat password", state.repeat, sizeof state.repeat,
                                        ImGuiInputTextFlags_Password | ImGuiInputTextFlags_EnterReturnsTrue);
  const bool same = std::strcmp(state.password, state.repeat) == 0;
  if (!same && state.repeat[0] != '\0') {
    ImGui::PushStyleColor(ImGuiCol_Text, colour::warning);
    ImGui::TextUnformatted("The two passwords differ.");
    ImGui::PopStyleColor();
  }
  if (!state.waiting && view.admin.failure && view.admin.serial != 0)
    failure_block(*view.admin.failure, "No admin created");
  if (view.admin.busy) busy_line("Creating the admin...", out);
  const bool ready = state.user[0] != '\0' && state.password[0] != '\0' && same && !view.admin.busy;
  ImGui::BeginDisabled(!ready);
  if (ImGui::Button("Create admin") || (entered && ready)) send_credentials<cmd::AddFirstAdmin>(state, view, out);
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("Later") || state.first_frame.escape_pressed()) close_form(state);
  item_tooltip("The Admin menu in the top bar offers this again.");
}

}  // namespace

bool should_prompt_first_admin(const WorkspaceView& view, const AdminBarState& state) {
  return !state.first_run_prompted && view.store_ready && view.admin.has_admins == false;
}

void draw_admin_menu(const WorkspaceView& view, AdminBarState& state, PanelOutput& out) {
  if (view.admin.session) {
    ImGui::PushStyleColor(ImGuiCol_Text, colour::ok);
    const std::string label = "Admin: " + view.admin.session->user;
    if (ImGui::BeginMenu(label.c_str())) {
      ImGui::PopStyleColor();
      if (ImGui::MenuItem("Sign out")) out.send(cmd::AdminSignOut{});
      ImGui::EndMenu();
    } else {
      ImGui::PopStyleColor();
    }
    item_tooltip("Signed in as an admin: the counter reset is pre-filled with this name.");
    return;
  }
  if (view.admin.has_admins == false) {
    if (ImGui::MenuItem("Create the first admin...")) open_form(state, AdminForm::first_admin);
    item_tooltip("No admin exists yet: only an admin may reset a mailbox counter.");
    return;
  }
  if (ImGui::MenuItem("Admin sign-in...")) open_form(state, AdminForm::sign_in);
  item_tooltip("Sign in as an admin of this MailDoctor.");
}

void draw_admin_modals(const WorkspaceView& view, AdminBarState& state, PanelOutput& out) {
  if (should_prompt_first_admin(view, state)) {
    state.first_run_prompted = true;
    if (state.form == AdminForm::closed) open_form(state, AdminForm::first_admin);
  }
  answered(view, state);
  if (state.sign_in_frame.begin(state.form == AdminForm::sign_in)) {
    draw_sign_in(view, state, out);
    if (state.form != AdminForm::sign_in) state.sign_in_frame.close();
    state.sign_in_frame.end();
  }
  if (state.first_frame.begin(state.form == AdminForm::first_admin)) {
    draw_first_admin(view, state, out);
    if (state.form != AdminForm::first_admin) state.first_frame.close();
    state.first_frame.end();
  }
}

}  // namespace md::panels
