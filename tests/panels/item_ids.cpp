#include "item_ids.h"

#include <imgui_internal.h>

#include <cstdio>
#include <map>
#include <utility>

namespace md::test {
namespace {

struct Recorder {
  int frame = -1;
  std::map<std::pair<const ImGuiWindow*, ImGuiID>, ImVec2> seen;  // this frame's items
  std::vector<ItemIdClash> clashes;
  long long items = 0;
};

Recorder& recorder() {
  static Recorder r;
  return r;
}

void record(const ImRect& bb, ImGuiID id) {
  ImGuiContext* ctx = ImGui::GetCurrentContext();
  if (id == 0 || ctx == nullptr) return;  // id 0: text and other items that cannot be interacted with
  Recorder& r = recorder();
  if (r.frame != ctx->FrameCount) {
    r.frame = ctx->FrameCount;
    r.seen.clear();
  }
  ++r.items;
  const ImGuiWindow* window = ctx->CurrentWindow;
  auto [it, added] = r.seen.emplace(std::make_pair(window, id), bb.Min);
  if (!added) r.clashes.push_back({id, window ? window->Name : "(none)", it->second, bb.Min});
}

}  // namespace

std::vector<ItemIdClash> take_item_id_clashes() {
  return std::exchange(recorder().clashes, {});
}

long long recorded_item_count() {
  return recorder().items;
}

std::string describe(const ItemIdClash& c) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "ID 0x%08X used by two items at (%.0f, %.0f) and (%.0f, %.0f) in window '", c.id,
                c.first.x, c.first.y, c.second.x, c.second.y);
  return buf + c.window + "'";
}

}  // namespace md::test

// The link-time wrapper (see item_ids.h). The mangled name is ImGui::ItemAdd(const ImRect&, ImGuiID,
// const ImRect*, ImGuiItemFlags) of 1.86; the widgets call it from another object than its own, so
// every button, input, radio, selectable, tab and tree node passes through here.
extern "C" bool __real__ZN5ImGui7ItemAddERK6ImRectjPS1_i(const ImRect& bb, ImGuiID id, const ImRect* nav_bb,
                                                         ImGuiItemFlags flags);

extern "C" bool __wrap__ZN5ImGui7ItemAddERK6ImRectjPS1_i(const ImRect& bb, ImGuiID id, const ImRect* nav_bb,
                                                         ImGuiItemFlags flags) {
  md::test::record(bb, id);
  return __real__ZN5ImGui7ItemAddERK6ImRectjPS1_i(bb, id, nav_bb, flags);
}
