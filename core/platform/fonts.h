// The interface font to load: the system's own where there is one to look for (Windows: Segoe UI
// from %WINDIR%\Fonts, then Tahoma, then Arial), else the one found at build time (DejaVu Sans on
// Linux). Empty when none is readable: the window then uses ImGui's built-in font.
#pragma once

#include <string>

namespace md::platform {

std::string ui_font_path(const std::string& configured);

}  // namespace md::platform
