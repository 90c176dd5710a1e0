// The account panels before their features land: each says what it will show, so the window
// reads honestly from the first build.
#pragma once

#include "main_window.h"

namespace md::panels {

void draw_setup_placeholder(const WorkspaceView& view);

}  // namespace md::panels
