// png_check FILE MIN_W MIN_H: exits 0 when FILE is a PNG of at least that size that is not blank —
// it has many distinct colours and no single colour covers almost all of it.
#include <stb_image.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: png_check FILE MIN_W MIN_H\n");
    return 2;
  }
  int w = 0, h = 0, n = 0;
  unsigned char* px = stbi_load(argv[1], &w, &h, &n, 4);
  if (px == nullptr) {
    std::fprintf(stderr, "png_check: %s is not a readable image: %s\n", argv[1], stbi_failure_reason());
    return 1;
  }
  std::unordered_map<uint32_t, size_t> counts;
  const size_t total = static_cast<size_t>(w) * h;
  for (size_t i = 0; i < total; ++i) {
    const unsigned char* p = px + i * 4;
    ++counts[(uint32_t(p[0]) << 16) | (uint32_t(p[1]) << 8) | p[2]];
  }
  stbi_image_free(px);
  size_t most = 0;
  for (auto& [colour, c] : counts) most = c > most ? c : most;
  const double dominant = total ? static_cast<double>(most) / total : 1.0;
  std::printf("png_check: %dx%d, %zu colours, dominant colour covers %.1f%%\n", w, h, counts.size(), dominant * 100);
  if (w < std::atoi(argv[2]) || h < std::atoi(argv[3])) {
    std::fprintf(stderr, "png_check: too small\n");
    return 1;
  }
  // Text rendered with anti-aliasing gives dozens of shades; a blank or single-colour frame gives 1-2.
  if (counts.size() < 16 || dominant > 0.98) {
    std::fprintf(stderr, "png_check: the image looks blank\n");
    return 1;
  }
  return 0;
}
