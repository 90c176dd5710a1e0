// Left-hand list: every account with its state at a glance, and "Add account".
#pragma once

#include "main_window.h"

namespace md::panels {

void draw_accounts_panel(const WorkspaceView& view, MainWindowState& state);

}  // namespace md::panels
