#include "headless.h"

#include <cstdint>

#include "theme.h"

namespace md::test {

HeadlessImGui::HeadlessImGui(float width, float height) {
  ctx_ = ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // a test leaves no file behind
  io.DisplaySize = ImVec2(width, height);
  io.DeltaTime = 1.0f / 60.0f;
  io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
  // What a platform backend does: every named key gets a slot in KeysDown (navigation needs them).
  for (int k = 0; k < ImGuiKey_COUNT; ++k) io.KeyMap[k] = k;
  panels::apply_theme(1.0f, MAILDOCTOR_TEST_FONT);
  unsigned char* pixels = nullptr;
  int w = 0, h = 0;
  io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
  io.Fonts->SetTexID(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(1)));
}

HeadlessImGui::~HeadlessImGui() {
  ImGui::DestroyContext(ctx_);
}

int HeadlessImGui::frame(const std::function<void()>& draw) {
  ImGui::NewFrame();
  draw();
  ImGui::Render();
  return ImGui::GetDrawData()->TotalVtxCount;
}

}  // namespace md::test
