#include "screenshot.h"

#include <glad/gl.h>
#include <stb_image_write.h>

#include <vector>

namespace md::harness {

bool save_framebuffer_png(int width, int height, const std::string& file) {
  if (width <= 0 || height <= 0) return false;
  std::vector<unsigned char> pixels(static_cast<size_t>(width) * height * 4);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
  // OpenGL's rows start at the bottom; PNG's at the top.
  stbi_flip_vertically_on_write(1);
  return stbi_write_png(file.c_str(), width, height, 4, pixels.data(), width * 4) != 0;
}

}  // namespace md::harness
