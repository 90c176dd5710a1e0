// The window: GLFW + OpenGL 3.3 core + Dear ImGui, an event-driven loop that sleeps when idle.
// maildoctor opens it with no hooks; the test harness (tests/harness/) opens the same loop with
// hooks that stage, drive and photograph it, so none of that is in the product.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "main_window.h"
#include "workspace.h"

namespace md::gui {

struct WindowHooks {
  // A staged state drawn instead of the data dir's: the workspace is not started and the commands
  // the panels send are dropped. Both or neither.
  WorkspaceView* staged_view = nullptr;
  panels::MainWindowState* staged_ui = nullptr;
  // Before the panels draw a frame, after the workspace published its view. A hook that must run
  // again soon asks for it like a panel does: ui.out.redraw_within(seconds).
  std::function<void(const WorkspaceView& view, panels::MainWindowState& ui)> before_frame;
  // After the frame is rendered into the back buffer, before it is shown: a screenshot reads it.
  std::function<void(int fb_width, int fb_height)> after_render;
  // Asked after each frame; true closes the window.
  std::function<bool()> should_quit;
};

// Opens the window on the data dir (`data_dir`, else MAILDOCTOR_HOME, else the platform's) and
// returns when it is closed: 0, or 2 when the data dir or a window cannot be had here.
int run(const std::optional<std::string>& data_dir, const WindowHooks& hooks = {});
// "Dear ImGui 1.86\nGLFW 3.3.8 ..." for --version.
std::string library_versions();

}  // namespace md::gui
