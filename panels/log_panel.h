// The live protocol log of the selected account, modelled on imgui_demo's ExampleAppLog: one text
// buffer with line records (the workspace's LogBuffer), a text filter, a protocol filter, an
// ImGuiListClipper so only visible lines are drawn, and auto-scroll that stops when the user
// scrolls up. The filtered line list is cached and extended as lines arrive, so 100,000 lines
// cost the same per frame as 100.
#pragma once

#include <imgui.h>

#include <cstdint>
#include <string>
#include <vector>

#include "panel_output.h"
#include "workspace.h"

namespace md::panels {

struct LogPanelState {
  ImGuiTextFilter filter;
  bool show[kLogProtocolCount] = {true, true, true, true, true, true};
  bool follow = true;  // at the newest line; off while the user reads further up
  bool jump_to_newest = false;
  size_t context_line = 0;  // the line a right-click menu was opened on

  // The cache: indices of lines that pass the filters, up to `scanned` lines of the buffer.
  std::vector<uint32_t> visible;
  size_t scanned = 0;
  uint64_t generation = UINT64_MAX;
  std::string filter_key;  // the filters `visible` was built for
};

// Brings state.visible up to date with the buffer and the filters: only new lines are looked at
// unless the filters or the buffer's generation changed.
void update_visible_lines(LogPanelState& state, const LogBuffer& log);
// The text of the visible lines, one per line (for Copy).
std::string visible_text(const LogPanelState& state, const LogBuffer& log);

void draw_log_panel(const WorkspaceView& view, LogPanelState& state, PanelOutput& out);

}  // namespace md::panels
