#include "theme.h"

#include <cstdio>

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
  if (readable(font_path) &&
      io.Fonts->AddFontFromFileTTF(font_path, kBaseFontPx * dpi_scale, &config, kRanges) != nullptr)
    return;
  ImFontConfig fallback;
  fallback.SizePixels = 13.0f * dpi_scale;
  io.Fonts->AddFontDefault(&fallback);
}

ImVec4 background_colour() {
  return ImVec4(0.94f, 0.95f, 0.96f, 1.0f);
}

}  // namespace md::panels
