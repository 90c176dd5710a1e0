// Reads the current framebuffer back and writes it as a PNG (tests, docs, bug reports).
#pragma once

#include <string>

namespace md::gui {

bool save_framebuffer_png(int width, int height, const std::string& file);

}  // namespace md::gui
