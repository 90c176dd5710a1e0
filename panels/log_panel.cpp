#include "log_panel.h"

#include "theme.h"
#include "widgets.h"

namespace md::panels {
namespace {

std::string filter_key(const LogPanelState& s) {
  std::string key = s.filter.InputBuf;
  key += '\0';
  for (bool b : s.show) key += b ? '1' : '0';
  return key;
}

bool passes(const LogPanelState& s, const LogBuffer& log, size_t i) {
  const LogLine& l = log.lines[i];
  if (!s.show[static_cast<int>(l.protocol)]) return false;
  if (!s.filter.IsActive()) return true;
  const char* begin = log.text.data() + l.begin;
  return s.filter.PassFilter(begin, begin + (l.end - l.begin));
}

void draw_toolbar(const WorkspaceView& view, LogPanelState& state, const LogBuffer& log, PanelOutput& out) {
  state.filter.Draw("Filter", ImGui::GetFontSize() * 14);
  item_tooltip("Show only lines containing this text; \"a,b\" shows either, \"-c\" hides lines with c.");
  for (int p = 0; p < kLogProtocolCount; ++p) {
    ImGui::SameLine();
    ImGui::Checkbox(to_string(static_cast<LogProtocol>(p)), &state.show[p]);
  }
  ImGui::SameLine();
  copy_button(
      "Copy", [&] { return visible_text(state, log); },
      "Copies the lines shown (with the filters applied); secrets are already redacted.", false);
  ImGui::SameLine();
  if (ImGui::Button("Clear")) out.send(cmd::ClearLog{});
  item_tooltip("Clears this view; the log file in the data dir keeps every line.");
  ImGui::SameLine();
  ImGui::BeginDisabled(view.selected.empty() || view.log_file.saving);
  if (ImGui::Button("Save...")) out.send(cmd::SaveLog{view.selected});
  ImGui::EndDisabled();
  item_tooltip(
      "Writes this account's log lines (secrets already redacted) to a text file in the data folder's "
      "reports/.");
  if (!state.follow) {
    ImGui::SameLine();
    if (ImGui::Button("Jump to newest")) state.jump_to_newest = true;
  }
}

}  // namespace

void update_visible_lines(LogPanelState& state, const LogBuffer& log) {
  const std::string key = filter_key(state);
  if (state.generation != log.generation || key != state.filter_key || state.scanned > log.lines.size()) {
    state.visible.clear();
    state.scanned = 0;
    state.generation = log.generation;
    state.filter_key = key;
  }
  for (size_t i = state.scanned; i < log.lines.size(); ++i)
    if (passes(state, log, i)) state.visible.push_back(static_cast<uint32_t>(i));
  state.scanned = log.lines.size();
}

std::string visible_text(const LogPanelState& state, const LogBuffer& log) {
  std::string out;
  for (uint32_t i : state.visible) {
    if (i >= log.lines.size()) break;
    out += log.line_text(i);
    out += '\n';
  }
  return out;
}

void draw_log_panel(const WorkspaceView& view, LogPanelState& state, PanelOutput& out) {
  heading(view.selected.empty() ? "Protocol log" : ("Protocol log: " + view.selected).c_str());
  if (view.log == nullptr || view.selected.empty()) {
    hint_text("Select an account: its live IMAP / POP3 / SMTP / HTTP transcript appears here, secrets redacted.");
    return;
  }
  const LogBuffer& log = *view.log;
  // Build the filter's parsed form before the cache compares it (Draw rebuilds it on edits).
  update_visible_lines(state, log);
  draw_toolbar(view, state, log, out);
  saved_file_line(view.log_file, view.selected, "Log saved to", out);
  update_visible_lines(state, log);
  ImGui::PushStyleColor(ImGuiCol_Text, colour::muted);
  ImGui::Text("%zu of %zu lines", state.visible.size(), log.lines.size());
  ImGui::PopStyleColor();

  ImGui::BeginChild("log_lines", ImVec2(0, 0), true, ImGuiWindowFlags_HorizontalScrollbar);
  if (log.lines.empty() && log.reading)
    hint_text("Reading the protocol log...");
  else if (log.lines.empty())
    hint_text("Nothing captured yet. Run the checks or refresh the token to see the conversation with the servers.");
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(0, 0));
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(state.visible.size()));
  while (clipper.Step()) {
    for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row) {
      const uint32_t i = state.visible[static_cast<size_t>(row)];
      const std::string_view text = log.line_text(i);
      ImGui::PushStyleColor(ImGuiCol_Text, log_line_colour(log.lines[i].direction));
      ImGui::TextUnformatted(text.data(), text.data() + text.size());
      ImGui::PopStyleColor();
      // Text has no ID to hang a context menu on: remember the line, open one menu for all.
      if (ImGui::IsItemHovered() && ImGui::IsMouseReleased(ImGuiMouseButton_Right)) {
        state.context_line = i;
        ImGui::OpenPopup("line_menu");
      }
    }
  }
  clipper.End();
  if (ImGui::BeginPopup("line_menu")) {
    if (ImGui::MenuItem("Copy line") && state.context_line < log.lines.size())
      ImGui::SetClipboardText(std::string(log.line_text(state.context_line)).c_str());
    if (ImGui::MenuItem("Copy all shown lines")) ImGui::SetClipboardText(visible_text(state, log).c_str());
    ImGui::EndPopup();
  }
  ImGui::PopStyleVar();
  // ExampleAppLog's rule: follow the newest line only while the view is at the bottom, so
  // scrolling up to read stops the following and scrolling back down resumes it.
  state.follow = state.jump_to_newest || ImGui::GetScrollY() >= ImGui::GetScrollMaxY();
  state.jump_to_newest = false;
  if (state.follow) ImGui::SetScrollHereY(1.0f);
  ImGui::EndChild();
}

}  // namespace md::panels
