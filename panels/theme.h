// Looks: the font at the monitor's DPI, spacing, and colours that mean one thing everywhere.
#pragma once

#include <imgui.h>

namespace md::panels {

// font_path empty or unreadable: ImGui's built-in font, scaled.
void apply_theme(float dpi_scale, const char* font_path);
ImVec4 background_colour();

namespace colour {
inline const ImVec4 ok{0.20f, 0.66f, 0.33f, 1.0f};       // green: passed, healthy
inline const ImVec4 warning{0.93f, 0.62f, 0.10f, 1.0f};  // amber: works, but look
inline const ImVec4 failure{0.86f, 0.22f, 0.20f, 1.0f};  // red: failed, act
inline const ImVec4 muted{0.55f, 0.57f, 0.62f, 1.0f};    // secondary text
}  // namespace colour

}  // namespace md::panels
