// Reads the current framebuffer back and writes it as a PNG (the harness's screenshots for tests and docs).
#pragma once

#include <string>

namespace md::harness {

bool save_framebuffer_png(int width, int height, const std::string& file);

}  // namespace md::harness
