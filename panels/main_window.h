// The whole window: top bar, accounts on the left, the selected account's panels on the right,
// a status line at the bottom. A function of (view, state); it only reads core state.
#pragma once

#include <string>

#include "workspace.h"

namespace md::panels {

// What the window remembers between frames that the core does not own.
struct MainWindowState {
  int selected_account = -1;
  bool show_about = false;
  // Reset before each frame; a panel that shows something time-driven (a countdown, a spinner)
  // lowers it. The loop sleeps until an event or this many seconds: a static window never wakes.
  double redraw_in_s = kNoTimedRedraw;
  static constexpr double kNoTimedRedraw = 1e9;
};

void draw_main_window(const WorkspaceView& view, MainWindowState& state);

}  // namespace md::panels
