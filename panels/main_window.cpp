#include "main_window.h"

#include <imgui.h>

#include <string>

#include <algorithm>

#include "accounts_panel.h"
#include "diagnostics/catalogue.h"
#include "theme.h"
#include "widgets.h"

namespace md::panels {
namespace {

void draw_menu_bar(const WorkspaceView& view, MainWindowState& state) {
  if (!ImGui::BeginMenuBar()) return;
  if (ImGui::BeginMenu("Settings")) {
    if (ImGui::MenuItem("Background work...")) state.show_background = true;
    if (ImGui::MenuItem("Interface scale...")) state.show_interface_scale = true;
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Help")) {
    if (ImGui::MenuItem("About MailDoctor")) state.show_about = true;
    ImGui::EndMenu();
  }
  // The admin's place: the right end of the top bar.
  ImGui::SetCursorPosX(ImGui::GetWindowWidth() - ImGui::GetFontSize() * 14);
  draw_admin_menu(view, state.admin, state.out);
  ImGui::EndMenuBar();
}

void draw_status_line(const WorkspaceView& view) {
  if (view.store_error) {
    const auto e = diagnostics::explain(*view.store_error);
    status_icon(Health::failed);
    ImGui::SameLine();
    ImGui::PushStyleColor(ImGuiCol_Text, colour::failure);
    ImGui::TextUnformatted(("[" + e.code + "] " + e.title + ": " + e.detail).c_str());
    ImGui::PopStyleColor();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", e.remedy.c_str());
    return;
  }
  int running = 0;
  for (const auto& j : view.jobs) running += j.state == jobs::JobState::running ? 1 : 0;
  ImGui::PushStyleColor(ImGuiCol_Text, colour::muted);
  ImGui::Text("Data: %s   %s   %d job(s) running", view.data_dir.c_str(),
              view.store_ready ? "database ready" : "opening database...", running);
  ImGui::PopStyleColor();
  if (view.key_protection.empty()) return;
  // Where the vault's key is kept: the keyring, the key file or DPAPI; red when it cannot be read.
  ImGui::SameLine();
  ImGui::PushStyleColor(ImGuiCol_Text, view.key_problem ? colour::failure : colour::muted);
  ImGui::Text("   Key: %s", view.key_protection.c_str());
  ImGui::PopStyleColor();
  if (view.key_problem && ImGui::IsItemHovered()) {
    const auto e = diagnostics::explain(*view.key_problem);
    ImGui::SetTooltip("[%s] %s\n%s\n%s", e.code.c_str(), e.title.c_str(), e.detail.c_str(), e.remedy.c_str());
  }
}

// A tab whose content scrolls in a child of its own, above the live strip: the tab bar stays on screen.
bool begin_tab(const char* label, Tab tab, MainWindowState& state, float strip_h) {
  const bool bring = state.bring_to_front && *state.bring_to_front == tab;
  if (!ImGui::BeginTabItem(label, nullptr, bring ? ImGuiTabItemFlags_SetSelected : 0)) return false;
  state.front = tab;
  ImGui::BeginChild("tab_body", ImVec2(0, -strip_h));
  return true;
}

void end_tab() {
  ImGui::EndChild();
  ImGui::EndTabItem();
}

void draw_live(const WorkspaceView& view, MainWindowState& state, size_t rows) {
  const LiveSubject subject =
      live_subject(view, state.front == Tab::setup, state.setup.provider_chosen, state.setup.draft.name);
  if (!(subject == state.live_watched)) {
    state.live_watched = subject;
    state.out.send(cmd::WatchLive{subject.name});
  }
  ImGui::BeginChild("live_strip", ImVec2(0, 0), false, ImGuiWindowFlags_NoScrollbar);
  bool open_log = false;
  draw_live_strip(view, subject, state.setup.draft.auth == accounts::AuthMethod::oauth2, rows, state.out, open_log);
  if (open_log) state.bring_to_front = Tab::log;
  ImGui::EndChild();
}

void draw_about(MainWindowState& state) {
  if (state.show_about) {
    ImGui::OpenPopup("About MailDoctor");
    state.show_about = false;
  }
  if (ImGui::BeginPopupModal("About MailDoctor", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
    ImGui::TextUnformatted("MailDoctor");
    hint_text("Sets up OAuth 2.0 and password email accounts and finds out fast why they stopped working.");
    if (ImGui::Button("Close") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
  }
}

// A Settings dialog sized to its content. Its text wraps at a fixed width: wrapped at the window's
// own width, an auto-resizing window starts from its first, narrow frame and ends up screen-tall.
bool begin_settings_dialog(const char* name) {
  if (!ImGui::BeginPopupModal(name, nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return false;
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 28);
  return true;
}

void end_settings_dialog() {
  ImGui::PopTextWrapPos();
  ImGui::EndPopup();
}

// How often the window checks and syncs each account on its own (saved in the data dir).
void draw_background_settings(const WorkspaceView& view, MainWindowState& state) {
  if (state.show_background) {
    state.background_check_min = view.background.check_every_min;
    state.background_sync_min = view.background.sync_every_min;
    ImGui::OpenPopup("Background work");
    state.show_background = false;
  }
  if (!begin_settings_dialog("Background work")) return;
  hint_text(
      "While the window is open it keeps every account's token fresh, and on these intervals runs its "
      "checks and downloads new mail. 0 turns one off.");
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
  ImGui::InputInt("Checks every (minutes)", &state.background_check_min, 5, 60);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
  ImGui::InputInt("Sync every (minutes)", &state.background_sync_min, 5, 60);
  state.background_check_min = std::clamp(state.background_check_min, 0, kMaxBackgroundIntervalMin);
  state.background_sync_min = std::clamp(state.background_sync_min, 0, kMaxBackgroundIntervalMin);
  if (view.background_failure) failure_block(*view.background_failure, "Not saved");
  if (ImGui::Button("Save")) {
    cmd::SetBackground c;
    c.check_every_min = state.background_check_min;
    c.sync_every_min = state.background_sync_min;
    state.out.send(c);
    ImGui::CloseCurrentPopup();
  }
  ImGui::SameLine();
  // 1.86 takes a key index, not an ImGuiKey: GetKeyIndex maps Escape to the backend's key.
  if (ImGui::Button("Cancel") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) ImGui::CloseCurrentPopup();
  end_settings_dialog();
}

// Settings > Interface scale: larger text and controls on a high-DPI screen or for tired eyes,
// on top of what the monitor asks for; the window follows as the slider moves.
void draw_interface_scale(const WorkspaceView& view, MainWindowState& state) {
  if (state.show_interface_scale) {
    state.interface_scale_percent = view.interface_scale_percent;
    ImGui::OpenPopup("Interface scale");
    state.show_interface_scale = false;
  }
  if (!begin_settings_dialog("Interface scale")) return;
  hint_text("The size of text and controls, on top of the screen's own scale. Kept for the next start.");
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 14);
  ImGui::SliderInt("##interface_scale", &state.interface_scale_percent, kMinInterfaceScalePercent,
                   kMaxInterfaceScalePercent, "%d %%");
  // Whole steps of 25 %: fonts are rebuilt at each size, a drag through every percent is no use.
  state.interface_scale_percent = (state.interface_scale_percent + 12) / 25 * 25;
  for (int p : {100, 125, 150, 200}) {
    ImGui::SameLine();
    if (ImGui::SmallButton((std::to_string(p) + " %").c_str())) state.interface_scale_percent = p;
  }
  if (ImGui::Button("Apply") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false)) {
    cmd::SetInterfaceScale c;
    c.percent = state.interface_scale_percent;
    state.out.send(c);
    ImGui::CloseCurrentPopup();
  }
  ImGui::SameLine();
  if (ImGui::Button("Cancel") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) ImGui::CloseCurrentPopup();
  end_settings_dialog();
}

// Shown whatever tab is in front while any account's sign-in is dead and no admin is signed in to
// the window: the pop-up is an admin's, so the others are told which accounts and whom to ask.
void draw_dead_token_banner(const WorkspaceView& view) {
  if (view.admin.session) return;
  const std::vector<DeadSignIn> dead = dead_sign_ins(view);
  if (dead.empty()) return;
  std::string names;
  for (const DeadSignIn& d : dead) names += (names.empty() ? "'" : ", '") + d.account + "'";
  status_icon(Health::failed);
  ImGui::SameLine();
  ImGui::PushStyleColor(ImGuiCol_Text, colour::failure);
  ImGui::TextWrapped("%s can no longer sign in on %s own. Ask an admin to sign in (top right) and re-authenticate %s.",
                     names.c_str(), dead.size() == 1 ? "its" : "their", dead.size() == 1 ? "it" : "them");
  ImGui::PopStyleColor();
}

}  // namespace

void draw_main_window(const WorkspaceView& view, MainWindowState& state) {
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(vp->WorkPos);
  ImGui::SetNextWindowSize(vp->WorkSize);
  constexpr ImGuiWindowFlags kFlags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                      ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_MenuBar |
                                      ImGuiWindowFlags_NoBringToFrontOnFocus;
  ImGui::Begin("MailDoctor", nullptr, kFlags);
  draw_menu_bar(view, state);
  // The panels show one account: the first, until the user picks another.
  if (!state.selected_first && view.selected.empty() && !view.accounts.empty()) {
    state.out.send(cmd::SelectAccount{view.accounts.front().name});
    state.selected_first = true;
    // With accounts to look after, the window opens on their diagnostics, not on Setup.
    state.bring_to_front = Tab::diagnostics;
  }

  draw_dead_token_banner(view);
  const float status_h = ImGui::GetFrameHeightWithSpacing();
  const float body_h = ImGui::GetContentRegionAvail().y - status_h;
  const float list_w = ImGui::GetFontSize() * 17;

  ImGui::BeginChild("accounts", ImVec2(list_w, body_h), true);
  draw_accounts_panel(view, state);
  ImGui::EndChild();
  ImGui::SameLine();

  ImGui::BeginChild("account_panels", ImVec2(0, body_h), true);
  // Whatever tab is open, the live strip stays under it.
  const size_t strip_rows = live_strip_rows(body_h);
  const float strip_h = live_strip_height(strip_rows) + ImGui::GetStyle().ItemSpacing.y * 2;
  if (ImGui::BeginTabBar("panels")) {
    if (begin_tab("Setup", Tab::setup, state, strip_h)) {
      draw_setup_panel(view, state.setup, state.out);
      end_tab();
    }
    if (begin_tab("Diagnostics", Tab::diagnostics, state, strip_h)) {
      draw_diagnostics_panel(view, state.diagnostics, state.out);
      end_tab();
    }
    if (begin_tab("Token", Tab::token, state, strip_h)) {
      draw_token_panel(view, state.token, state.out);
      end_tab();
    }
    if (begin_tab("Sync", Tab::sync, state, strip_h)) {
      draw_sync_panel(view, state.sync, state.out);
      end_tab();
    }
    if (begin_tab("Protocol log", Tab::log, state, strip_h)) {
      draw_log_panel(view, state.log, state.out);
      end_tab();
    }
    ImGui::EndTabBar();
  }
  state.bring_to_front.reset();
  ImGui::Separator();
  draw_live(view, state, strip_rows);
  ImGui::EndChild();
  // A saved account's checks start at once: show them.
  if (view.setup.save != SetupSave::saved) {
    state.announced_setup_save = false;
  } else if (!state.announced_setup_save) {
    state.announced_setup_save = true;
    state.bring_to_front = Tab::diagnostics;
    state.diagnostics.subject.clear();
  }

  draw_status_line(view);
  draw_about(state);
  draw_background_settings(view, state);
  draw_interface_scale(view, state);
  // Whatever tab is in front: a dead token is news for whoever sits at the window.
  if (draw_reauth_prompt(view, state.token, state.out)) state.bring_to_front = Tab::token;
  draw_reset_modal(view, state.sync, state.out);
  draw_account_edit(view, state.edit, state.out);
  draw_admin_modals(view, state.admin, state.out);
  ImGui::End();
}

}  // namespace md::panels
