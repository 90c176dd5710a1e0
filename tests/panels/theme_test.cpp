// The theme's font: every character past Latin-1 that the texts use renders as a glyph of its own,
// with the system's font and with ImGui's built-in one (the window's font under Wine), never as '?'.
#include <doctest/doctest.h>

#include <imgui.h>

#include <string>

#include "theme.h"

namespace {

// How many pixels of the glyph's atlas rectangle are drawn (alpha > 0).
int inked_pixels(const ImFontGlyph& g) {
  ImGuiIO& io = ImGui::GetIO();
  unsigned char* pixels = nullptr;
  int w = 0, h = 0;
  io.Fonts->GetTexDataAsAlpha8(&pixels, &w, &h);
  int inked = 0;
  for (int y = static_cast<int>(g.V0 * h + 0.5f); y < static_cast<int>(g.V1 * h + 0.5f); ++y)
    for (int x = static_cast<int>(g.U0 * w + 0.5f); x < static_cast<int>(g.U1 * w + 0.5f); ++x)
      inked += pixels[y * w + x] != 0;
  return inked;
}

}  // namespace

TEST_CASE("theme: →, …, — and – have glyphs with the system font and with ImGui's built-in font") {
  for (const std::string& font : {std::string(""), std::string(MAILDOCTOR_TEST_FONT)}) {
    ImGuiContext* ctx = ImGui::CreateContext();
    md::panels::apply_theme(1.5f, font.c_str());
    ImFont* f = ImGui::GetIO().Fonts->Fonts[0];
    for (ImWchar c : {ImWchar(0x2192), ImWchar(0x2026), ImWchar(0x2014), ImWchar(0x2013)}) {
      CAPTURE(font);
      CAPTURE(static_cast<int>(c));
      const ImFontGlyph* g = f->FindGlyphNoFallback(c);
      REQUIRE(g != nullptr);
      CHECK(g->AdvanceX > 0.0f);
      CHECK(inked_pixels(*g) > 3);
    }
    ImGui::DestroyContext(ctx);
  }
}
