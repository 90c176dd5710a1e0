// ID clashes, found as they happen: every item Dear ImGui's widgets submit (ImGui::ItemAdd, wrapped
// at link time with -Wl,--wrap) is recorded per frame, and a second item with an ID already seen in
// the same frame is a clash. ImGui 1.86 has no detector of its own; a clash makes two widgets share
// hover and focus (a radio button and an input both labelled "Password" aborted the window).
#pragma once

#include <imgui.h>

#include <string>
#include <vector>

namespace md::test {

struct ItemIdClash {
  ImGuiID id = 0;
  std::string window;    // the window both items are in
  ImVec2 first, second;  // where the two items are (their top-left corners)
};

// The clashes recorded since the last call, and forgets them.
std::vector<ItemIdClash> take_item_id_clashes();
// Items recorded since the program started (a test can check the recorder is wired in).
long long recorded_item_count();

std::string describe(const ItemIdClash& clash);

}  // namespace md::test
