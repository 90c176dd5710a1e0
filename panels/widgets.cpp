#include "widgets.h"

#include "theme.h"

namespace md::panels {

void status_icon(Health health) {
  const float size = ImGui::GetTextLineHeight();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 c(p.x + size * 0.5f, p.y + size * 0.5f);
  const float r = size * 0.42f;
  const float thick = size * 0.14f;
  switch (health) {
    case Health::ok: {
      ImU32 col = ImGui::GetColorU32(colour::ok);
      dl->AddCircleFilled(c, r, col);
      ImVec2 tick[3] = {{c.x - r * 0.5f, c.y}, {c.x - r * 0.1f, c.y + r * 0.4f}, {c.x + r * 0.55f, c.y - r * 0.4f}};
      dl->AddPolyline(tick, 3, IM_COL32_WHITE, 0, thick);
      break;
    }
    case Health::warning: {
      ImU32 col = ImGui::GetColorU32(colour::warning);
      dl->AddTriangleFilled({c.x, c.y - r}, {c.x + r, c.y + r * 0.85f}, {c.x - r, c.y + r * 0.85f}, col);
      dl->AddLine({c.x, c.y - r * 0.35f}, {c.x, c.y + r * 0.3f}, IM_COL32_WHITE, thick);
      dl->AddCircleFilled({c.x, c.y + r * 0.6f}, thick * 0.6f, IM_COL32_WHITE);
      break;
    }
    case Health::failed: {
      ImU32 col = ImGui::GetColorU32(colour::failure);
      dl->AddCircleFilled(c, r, col);
      float d = r * 0.45f;
      dl->AddLine({c.x - d, c.y - d}, {c.x + d, c.y + d}, IM_COL32_WHITE, thick);
      dl->AddLine({c.x - d, c.y + d}, {c.x + d, c.y - d}, IM_COL32_WHITE, thick);
      break;
    }
    case Health::unknown: dl->AddCircle(c, r, ImGui::GetColorU32(colour::muted), 0, thick * 0.7f); break;
  }
  ImGui::Dummy(ImVec2(size, size));
}

void hint_text(const char* text) {
  ImGui::PushStyleColor(ImGuiCol_Text, colour::muted);
  ImGui::TextWrapped("%s", text);
  ImGui::PopStyleColor();
}

void heading(const char* text) {
  ImGui::TextUnformatted(text);
  ImGui::Separator();
}

}  // namespace md::panels
