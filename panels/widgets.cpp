#include "widgets.h"

#include <imgui_stdlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>

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

bool copy_button(const char* label, const std::function<std::string()>& text, const char* tooltip, bool small) {
  ImGui::PushID(label);
  ImGuiStorage* storage = ImGui::GetStateStorage();
  const ImGuiID copied_id = ImGui::GetID("copied");
  const bool copied = storage->GetBool(copied_id);
  // The label changes in place; "###copy" keeps the button's ID the same for both texts.
  const std::string shown = std::string(copied ? "Copied" : label) + "###copy";
  const bool pressed = small ? ImGui::SmallButton(shown.c_str()) : ImGui::Button(shown.c_str());
  if (pressed) {
    ImGui::SetClipboardText(text().c_str());
    storage->SetBool(copied_id, true);
  }
  // "Copied" until the pointer (or the keyboard's focus) leaves the button: leaving it is an event,
  // so an idle window needs no timer to put the label back.
  const bool here = ImGui::IsItemHovered() || ImGui::IsItemFocused();
  if (copied && !here && !pressed) storage->SetBool(copied_id, false);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", copied || pressed ? "Copied to the clipboard" : tooltip);
  ImGui::PopID();
  return pressed;
}

void selectable_text(const std::string& text) {
  // ImGui's text cannot be selected; a read-only text box can. It does not wrap on its own, so
  // the text is wrapped here, where the line would end, and the box is exactly as tall as it.
  const float width = ImGui::GetContentRegionAvail().x;
  ImFont* font = ImGui::GetFont();
  const float size = ImGui::GetFontSize();
  std::string wrapped;
  int lines = 0;
  const char* s = text.data();
  const char* end = s + text.size();
  while (s < end) {
    const char* eol = static_cast<const char*>(std::memchr(s, '\n', static_cast<size_t>(end - s)));
    if (eol == nullptr) eol = end;
    const char* line_end = font->CalcWordWrapPositionA(1.0f, s, eol, std::max(width, size * 4));
    if (line_end == s) line_end = s + 1;  // a word wider than the box: one character per line
    wrapped.append(s, line_end);
    wrapped += '\n';
    ++lines;
    s = line_end;
    // The wrap consumed the line: skip its newline; otherwise the blanks where it wrapped.
    if (s == eol) {
      if (s < end) ++s;
    } else {
      while (s < eol && (*s == ' ' || *s == '\t')) ++s;
    }
  }
  if (!wrapped.empty()) wrapped.pop_back();
  lines = std::max(lines, 1);
  ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(0, 0));
  ImGui::PushStyleColor(ImGuiCol_FrameBg, IM_COL32(0, 0, 0, 0));
  ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, 0.0f);
  ImGui::InputTextMultiline("##selectable", &wrapped, ImVec2(width, ImGui::GetTextLineHeight() * lines + 1),
                            ImGuiInputTextFlags_ReadOnly | ImGuiInputTextFlags_NoHorizontalScroll);
  ImGui::PopStyleVar(2);
  ImGui::PopStyleColor();
}

void copyable_field(const char* label, const std::string& text) {
  ImGui::PushID(label);
  ImGui::PushStyleColor(ImGuiCol_Text, colour::muted);
  ImGui::TextUnformatted(label);
  ImGui::PopStyleColor();
  ImGui::SameLine();
  copy_button(
      "Copy", [&] { return text; }, (std::string("Copy the ") + label + " to the clipboard").c_str(), true);
  selectable_text(text);
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

ImVec4 log_line_colour(protolog::Direction d) {
  switch (d) {
    case protolog::Direction::client: return ImVec4(0.10f, 0.30f, 0.70f, 1.0f);  // what we sent
    case protolog::Direction::server: return ImGui::GetStyleColorVec4(ImGuiCol_Text);
    case protolog::Direction::info: return colour::muted;
  }
  return colour::muted;
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

void table_field(const char* label, const std::string& value, CellText text) {
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::PushStyleColor(ImGuiCol_Text, colour::muted);
  ImGui::TextUnformatted(label);
  ImGui::PopStyleColor();
  ImGui::TableNextColumn();
  if (text == CellText::wrapped)
    ImGui::TextWrapped("%s", value.c_str());
  else
    ImGui::TextUnformatted(value.c_str());
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
  return util::format_local(t, "%Y-%m-%d %H:%M");
}

std::string local_clock_time(std::chrono::system_clock::time_point t) {
  return util::format_local(t, "%H:%M:%S");
}

std::string local_time(const std::string& iso8601_utc) {
  auto t = util::parse_iso8601(iso8601_utc);
  return t ? local_time(*t) : iso8601_utc;
}

void utc_tooltip(std::chrono::system_clock::time_point t) {
  item_tooltip((util::format_iso8601(t) + " (UTC)").c_str());
}

}  // namespace md::panels
