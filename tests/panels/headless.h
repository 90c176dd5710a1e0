// A Dear ImGui context with no window and no GL: the font atlas is built in memory, frames run
// NewFrame..Render and the draw data is simply not drawn. Enough to run every panel for real.
#pragma once

#include <imgui.h>

#include <functional>

namespace md::test {

class HeadlessImGui {
 public:
  explicit HeadlessImGui(float width = 1280, float height = 800);
  ~HeadlessImGui();
  HeadlessImGui(const HeadlessImGui&) = delete;
  HeadlessImGui& operator=(const HeadlessImGui&) = delete;

  // One frame: input as set in io(), then `draw`, then Render. Returns the frame's vertex count.
  int frame(const std::function<void()>& draw);
  ImGuiIO& io() { return ImGui::GetIO(); }

 private:
  ImGuiContext* ctx_ = nullptr;
};

}  // namespace md::test
