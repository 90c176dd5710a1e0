#include "popup.h"

#include <imgui.h>

namespace md::panels {

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
