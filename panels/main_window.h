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
};

void draw_main_window(const WorkspaceView& view, MainWindowState& state);

}  // namespace md::panels
