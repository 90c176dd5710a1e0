#include "main_window.h"

#include <imgui.h>

#include "accounts_panel.h"
#include "placeholder_panels.h"
#include "theme.h"
#include "widgets.h"

namespace md::panels {
namespace {

void draw_menu_bar(MainWindowState& state) {
  if (!ImGui::BeginMenuBar()) return;
  if (ImGui::BeginMenu("Help")) {
    if (ImGui::MenuItem("About MailDoctor")) state.show_about = true;
    ImGui::EndMenu();
  }
  ImGui::EndMenuBar();
}

void draw_status_line(const WorkspaceView& view) {
  if (view.store_error) {
    ImGui::PushStyleColor(ImGuiCol_Text, colour::failure);
    ImGui::TextWrapped("[%s] %s", view.store_error->code.c_str(), view.store_error->detail.c_str());
    ImGui::PopStyleColor();
    return;
  }
  int running = 0;
  for (const auto& j : view.jobs) running += j.state == jobs::JobState::running ? 1 : 0;
  ImGui::PushStyleColor(ImGuiCol_Text, colour::muted);
  ImGui::Text("Data: %s   %s   %d job(s) running", view.data_dir.c_str(),
              view.store_ready ? "database ready" : "opening database...", running);
  ImGui::PopStyleColor();
}

void draw_about(MainWindowState& state) {
  if (state.show_about) {
    ImGui::OpenPopup("About MailDoctor");
    state.show_about = false;
  }
  if (ImGui::BeginPopupModal("About MailDoctor", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
    ImGui::TextUnformatted("MailDoctor");
    hint_text("Sets up OAuth 2.0 and password email accounts and finds out fast why they stopped working.");
    if (ImGui::Button("Close")) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
  }
}

}  // namespace

void draw_main_window(const WorkspaceView& view, MainWindowState& state) {
  state.redraw_in_s = MainWindowState::kNoTimedRedraw;
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(vp->WorkPos);
  ImGui::SetNextWindowSize(vp->WorkSize);
  constexpr ImGuiWindowFlags kFlags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                      ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_MenuBar |
                                      ImGuiWindowFlags_NoBringToFrontOnFocus;
  ImGui::Begin("MailDoctor", nullptr, kFlags);
  draw_menu_bar(state);

  const float status_h = ImGui::GetFrameHeightWithSpacing();
  const float body_h = ImGui::GetContentRegionAvail().y - status_h;
  const float list_w = ImGui::GetFontSize() * 17;

  ImGui::BeginChild("accounts", ImVec2(list_w, body_h), true);
  draw_accounts_panel(view, state);
  ImGui::EndChild();
  ImGui::SameLine();

  ImGui::BeginChild("account_panels", ImVec2(0, body_h), true);
  if (ImGui::BeginTabBar("panels")) {
    if (ImGui::BeginTabItem("Setup")) {
      draw_setup_placeholder(view);
      ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem("Diagnostics")) {
      draw_diagnostics_placeholder(view);
      ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem("Token")) {
      draw_token_placeholder(view);
      ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem("Sync")) {
      draw_sync_placeholder(view);
      ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem("Protocol log")) {
      draw_log_placeholder(view);
      ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
  }
  ImGui::EndChild();

  draw_status_line(view);
  draw_about(state);
  ImGui::End();
}

}  // namespace md::panels
