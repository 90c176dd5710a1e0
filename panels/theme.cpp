#include "theme.h"

#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

namespace md::panels {
namespace {

constexpr float kBaseFontPx = 16.0f;

bool readable(const char* path) {
  if (path == nullptr || *path == '\0') return false;
  std::FILE* f = std::fopen(path, "rb");
  if (f == nullptr) return false;
  std::fclose(f);
  return true;
}

// The characters past Latin-1 that the core's and the panels' texts use: "→" in step details,
// "…" on buttons, "—" and "–" in prose. A font without one of them (ImGui's built-in font stops at
// U+00FF, and it is the one the window gets under Wine, which has no system fonts; Tahoma has no
// arrows) gets it drawn here, into the font atlas, instead of a "?" in the middle of a detail.
enum class Shape { arrow, ellipsis, dash };
struct DrawnGlyph {
  ImWchar codepoint;
  Shape shape;
  float advance_em;
};
constexpr DrawnGlyph kDrawnGlyphs[] = {{0x2192, Shape::arrow, 1.0f},
                                       {0x2026, Shape::ellipsis, 1.0f},
                                       {0x2014, Shape::dash, 1.0f},
                                       {0x2013, Shape::dash, 0.6f}};

// One drawn glyph: white with the shape in the alpha channel, like the glyphs ImGui rasterises. Its
// rectangle is the font's whole line (the glyph is placed at the line's top); the baseline is at
// `ascent` pixels from the top.
void draw_glyph(unsigned char* pixels, int stride, const ImFontAtlasCustomRect& r, Shape shape, float ascent) {
  const int w = r.Width, h = r.Height;
  const int t = std::max(1, static_cast<int>(h / 13.0f + 0.5f));  // stroke width
  auto fill = [&](int x0, int y0, int x1, int y1) {               // [x0, x1) x [y0, y1)
    for (int y = std::max(0, y0); y < std::min(h, y1); ++y)
      for (int x = std::max(0, x0); x < std::min(w, x1); ++x) pixels[(r.Y + y) * stride + r.X + x] = 0xFF;
  };
  const int mid = static_cast<int>(ascent * 0.62f);  // the middle of a lower-case letter
  const int margin = std::max(1, w / 8);
  switch (shape) {
    case Shape::dash: fill(0, mid - t / 2, w, mid - t / 2 + t); break;
    case Shape::ellipsis:
      for (int i = 0; i < 3; ++i) {
        int x = margin + i * (w - 2 * margin) / 3 + (w - 2 * margin) / 6 - t / 2;
        fill(x, static_cast<int>(ascent) - t, x + t, static_cast<int>(ascent));
      }
      break;
    case Shape::arrow: {
      const int tip = w - margin, head = std::max(2, h / 4);
      fill(margin, mid - t / 2, tip, mid - t / 2 + t);
      for (int i = 0; i <= head; ++i) {  // the two strokes of the head, meeting at the tip
        fill(tip - 1 - i - t / 2, mid - i - t / 2, tip - i + t - t / 2, mid - i - t / 2 + t);
        fill(tip - 1 - i - t / 2, mid + i - t / 2, tip - i + t - t / 2, mid + i - t / 2 + t);
      }
      break;
    }
  }
}

// Builds the atlas; when `font` lacks a glyph of kDrawnGlyphs, adds it as a drawn glyph (which
// needs a second build to place it) and draws it.
void build_with_drawn_glyphs(ImFontAtlas& atlas, ImFont& font) {
  atlas.Build();
  std::vector<std::pair<int, Shape>> drawn;
  const float px = font.FontSize;
  for (const DrawnGlyph& g : kDrawnGlyphs)
    if (font.FindGlyphNoFallback(g.codepoint) == nullptr) {
      const int w = static_cast<int>(px * g.advance_em * 0.8f + 0.5f);
      int id =
          atlas.AddCustomRectFontGlyph(&font, g.codepoint, w, static_cast<int>(px + 0.5f), px * g.advance_em * 0.8f);
      drawn.emplace_back(id, g.shape);
    }
  if (drawn.empty()) return;
  atlas.Build();
  unsigned char* pixels = nullptr;
  int width = 0, height = 0;
  atlas.GetTexDataAsAlpha8(&pixels, &width, &height);
  for (const auto& [id, shape] : drawn) draw_glyph(pixels, width, *atlas.GetCustomRectByIndex(id), shape, font.Ascent);
}
}  // namespace

void apply_theme(float dpi_scale, const char* font_path) {
  if (dpi_scale <= 0.0f) dpi_scale = 1.0f;
  ImGuiIO& io = ImGui::GetIO();
  // From the default sizes every time: applied again at another scale, nothing is scaled twice.
  ImGui::GetStyle() = ImGuiStyle();
  ImGui::StyleColorsLight();
  io.Fonts->Clear();
  ImGuiStyle& style = ImGui::GetStyle();
  style.WindowRounding = 0.0f;
  style.FrameRounding = 4.0f;
  style.GrabRounding = 4.0f;
  style.TabRounding = 4.0f;
  style.WindowPadding = ImVec2(12, 10);
  style.FramePadding = ImVec2(8, 5);
  style.ItemSpacing = ImVec2(8, 7);
  // Inputs must show on a white dialog too: a tinted field with a border.
  style.FrameBorderSize = 1.0f;
  style.Colors[ImGuiCol_FrameBg] = ImVec4(0.95f, 0.96f, 0.98f, 1.0f);
  style.Colors[ImGuiCol_Border] = ImVec4(0.0f, 0.0f, 0.0f, 0.22f);
  style.ScaleAllSizes(dpi_scale);

  // Rasterise the font at the size it is shown, so text stays crisp on high-DPI screens.
  ImFontConfig config;
  config.OversampleH = 2;
  config.OversampleV = 2;
  // Latin plus the punctuation and arrows the core's texts use ("→", "…", "·", "–"): without them
  // ImGui draws '?' in the middle of a server's detail.
  static const ImWchar kRanges[] = {0x0020, 0x00FF, 0x2010, 0x2027, 0x2190, 0x21FF, 0};
  ImFont* font = nullptr;
  if (readable(font_path)) font = io.Fonts->AddFontFromFileTTF(font_path, kBaseFontPx * dpi_scale, &config, kRanges);
  if (font == nullptr) {
    ImFontConfig fallback;
    fallback.SizePixels = 13.0f * dpi_scale;
    font = io.Fonts->AddFontDefault(&fallback);
  }
  build_with_drawn_glyphs(*io.Fonts, *font);
}

ImVec4 background_colour() {
  return ImVec4(0.94f, 0.95f, 0.96f, 1.0f);
}

}  // namespace md::panels
