#include "widgets.h"

#include <cmath>
#include <ctime>

#include "diagnostics/catalogue.h"
#include "theme.h"
#include "util/time.h"

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

void step_icon(diagnostics::StepStatus status) {
  if (status != diagnostics::StepStatus::skip) return status_icon(health_of(status));
  const float size = ImGui::GetTextLineHeight();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float y = p.y + size * 0.5f;
  ImGui::GetWindowDrawList()->AddLine({p.x + size * 0.25f, y}, {p.x + size * 0.75f, y},
                                      ImGui::GetColorU32(colour::muted), size * 0.12f);
  ImGui::Dummy(ImVec2(size, size));
}

Health health_of(diagnostics::StepStatus status) {
  switch (status) {
    case diagnostics::StepStatus::pass: return Health::ok;
    case diagnostics::StepStatus::warn: return Health::warning;
    case diagnostics::StepStatus::fail: return Health::failed;
    case diagnostics::StepStatus::skip: return Health::unknown;
  }
  return Health::unknown;
}

void spinner() {
  const float size = ImGui::GetTextLineHeight();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const ImVec2 c(p.x + size * 0.5f, p.y + size * 0.5f);
  const float r = size * 0.38f;
  const float start = static_cast<float>(std::fmod(ImGui::GetTime() * 6.0, 2 * M_PI));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->PathArcTo(c, r, start, start + 4.2f, 16);
  dl->PathStroke(ImGui::GetColorU32(colour::muted), 0, size * 0.13f);
  ImGui::Dummy(ImVec2(size, size));
}

void disclosure_arrow(bool open) {
  const float size = ImGui::GetTextLineHeight();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const ImVec2 c(p.x + size * 0.5f, p.y + size * 0.5f);
  const float r = size * 0.28f;
  const ImU32 col = ImGui::GetColorU32(ImGuiCol_Text);
  if (open)
    ImGui::GetWindowDrawList()->AddTriangleFilled({c.x - r, c.y - r * 0.6f}, {c.x + r, c.y - r * 0.6f},
                                                  {c.x, c.y + r * 0.8f}, col);
  else
    ImGui::GetWindowDrawList()->AddTriangleFilled({c.x - r * 0.6f, c.y - r}, {c.x + r * 0.8f, c.y},
                                                  {c.x - r * 0.6f, c.y + r}, col);
  ImGui::Dummy(ImVec2(size, size));
}

void copyable_field(const char* label, const std::string& text) {
  ImGui::PushID(label);
  ImGui::PushStyleColor(ImGuiCol_Text, colour::muted);
  ImGui::TextUnformatted(label);
  ImGui::PopStyleColor();
  ImGui::SameLine();
  if (ImGui::SmallButton("Copy")) ImGui::SetClipboardText(text.c_str());
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Copy the %s to the clipboard", label);
  ImGui::TextWrapped("%s", text.c_str());
  ImGui::PopID();
}

void failure_block(const Failure& failure, const char* what) {
  const auto e = diagnostics::explain(failure);
  status_icon(Health::failed);
  ImGui::SameLine();
  ImGui::PushStyleColor(ImGuiCol_Text, colour::failure);
  ImGui::TextWrapped("%s: %s [%s]", what, e.title.c_str(), e.code.c_str());
  ImGui::PopStyleColor();
  ImGui::PushID(what);
  ImGui::Indent();
  copyable_field("What happened", e.reason);
  copyable_field("What to do", e.remedy);
  if (!e.detail.empty()) copyable_field("Details", e.detail);
  ImGui::Unindent();
  ImGui::PopID();
}

void saved_file_line(const SavedFileView& file, const std::string& account, const char* what, PanelOutput& out) {
  if (file.account != account || account.empty()) return;
  if (file.saving) {
    spinner();
    ImGui::SameLine();
    ImGui::Text("Saving the %s...", what);
    out.redraw_within(kSpinnerFrameS);
  } else if (file.failure) {
    failure_block(*file.failure, "Not saved");
  } else if (!file.path.empty()) {
    status_icon(Health::ok);
    ImGui::SameLine();
    copyable_field(what, file.path);
  }
}

void item_tooltip(const char* text) {
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", text);
}

void busy_line(const char* text, PanelOutput& out) {
  spinner();
  ImGui::SameLine();
  ImGui::TextUnformatted(text);
  out.redraw_within(kSpinnerFrameS);
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

std::string local_time(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm local{};
#if defined(_WIN32)
  localtime_s(&local, &secs);
#else
  localtime_r(&secs, &local);
#endif
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &local);
  return buf;
}

std::string local_time(const std::string& iso8601_utc) {
  auto t = util::parse_iso8601(iso8601_utc);
  return t ? local_time(*t) : iso8601_utc;
}

void utc_tooltip(std::chrono::system_clock::time_point t) {
  item_tooltip((util::format_iso8601(t) + " (UTC)").c_str());
}

}  // namespace md::panels
