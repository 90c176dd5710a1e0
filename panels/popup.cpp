#include "popup.h"

#include <imgui.h>

namespace md::panels {

PopupAnswer QuestionPopup::draw() {
  if (open_requested_) {
    ImGui::OpenPopup(id.c_str());
    open_requested_ = false;
  }
  shown_ = false;
  // Centred on the window, sized to its text: a question never hides behind a panel edge.
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(vp->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSizeConstraints(ImVec2(ImGui::GetFontSize() * 22, 0), ImVec2(ImGui::GetFontSize() * 36, FLT_MAX));
  if (!ImGui::BeginPopupModal(id.c_str(), nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return PopupAnswer::none;
  shown_ = true;
  PopupAnswer answer = PopupAnswer::none;
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 34);
  ImGui::TextUnformatted(message.c_str());
  ImGui::PopTextWrapPos();
  ImGui::Spacing();
  // Enter answers the main question (1.86's navigation presses buttons with Space only).
  const bool enter =
      !ImGui::IsAnyItemActive() && (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false) ||
                                    ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_KeyPadEnter), false));
  if (ImGui::Button(accept_label.c_str()) || enter) answer = PopupAnswer::accepted;
  ImGui::SetItemDefaultFocus();
  ImGui::SameLine();
  if (ImGui::Button(decline_label.c_str()) || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape)))
    answer = PopupAnswer::declined;
  if (answer != PopupAnswer::none) {
    ImGui::CloseCurrentPopup();
    shown_ = false;
  }
  ImGui::EndPopup();
  return answer;
}

bool ModalFrame::begin(bool wanted) {
  shown_ = false;
  if (!wanted) {
    // The flow ended outside the modal's body: close it, or it would keep blocking the window.
    if (ImGui::IsPopupOpen(id.c_str()) && ImGui::BeginPopupModal(id.c_str())) {
      ImGui::CloseCurrentPopup();
      ImGui::EndPopup();
    }
    return false;
  }
  if (!ImGui::IsPopupOpen(id.c_str())) ImGui::OpenPopup(id.c_str());
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  // Centred every frame, not only when it appears: a body that grows (a form arriving, a failure
  // shown) would otherwise push the buttons below the screen's edge. Never taller than the screen.
  ImGui::SetNextWindowPos(vp->GetCenter(), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSizeConstraints(ImVec2(ImGui::GetFontSize() * 26, 0),
                                      ImVec2(ImGui::GetFontSize() * 38, vp->WorkSize.y * 0.96f));
  if (!ImGui::BeginPopupModal(id.c_str(), nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return false;
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 36);
  shown_ = true;
  return true;
}

void ModalFrame::close() {
  ImGui::CloseCurrentPopup();
}

void ModalFrame::end() {
  ImGui::PopTextWrapPos();
  ImGui::EndPopup();
}

bool ModalFrame::escape_pressed() const {
  return ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape));
}

bool ModalFrame::enter_pressed() const {
  if (ImGui::IsAnyItemActive()) return false;  // an input's own Enter is the input's
  return ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false) ||
         ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_KeyPadEnter), false);
}

}  // namespace md::panels
