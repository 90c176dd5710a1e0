// The window: GLFW + OpenGL 3.3 core + Dear ImGui, an event-driven loop that sleeps when idle.
#pragma once

#include <string>

#include "cli/args.h"

namespace md::gui {

int run(const cli::GlobalArgs& args);
// "Dear ImGui 1.86\nGLFW 3.3.8 ..." for --version.
std::string library_versions();

}  // namespace md::gui
