// Small drawing helpers shared by the panels. Status icons are drawn as shapes, so they never
// depend on which glyphs a font has.
#pragma once

#include <imgui.h>

#include "workspace.h"

namespace md::panels {

// A tick, a warning triangle, a cross or a hollow circle (unknown), one text line high.
void status_icon(Health health);
// Muted, wrapped explanatory text.
void hint_text(const char* text);
void heading(const char* text);

}  // namespace md::panels
