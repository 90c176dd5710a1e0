// Staged states of the window, built from plain data with no disk or network: the headless panel
// tests draw every one, bench/ui times them, and `maildoctor-harness --scene NAME --capture F`
// photographs them for docs/screenshots. A scene is what the workspace would publish in that state.
// Test fixtures: library maildoctor_scenes, never linked into maildoctor.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "main_window.h"
#include "workspace.h"

namespace md::panels {

struct Scene {
  std::string name;
  std::string caption;  // what it shows, for the screenshot index
  WorkspaceView view;   // view.log points at `log`: a Scene is not copied or moved
  LogBuffer log;
  MainWindowState ui;

  Scene() = default;
  Scene(const Scene&) = delete;
  Scene& operator=(const Scene&) = delete;
};

// A fixed clock for tests that stage scenes, so every run sees the same countdowns.
inline const std::chrono::system_clock::time_point kFixedSceneTime =
    std::chrono::system_clock::from_time_t(1'795'000'000);

std::vector<std::string> scene_names();
// nullptr for an unknown name. `now` is the scene's clock (countdowns are relative to it).
std::unique_ptr<Scene> make_scene(std::string_view name, std::chrono::system_clock::time_point now);
// Appends `count` realistic, already-redacted IMAP/SMTP/HTTP lines.
void fill_log(LogBuffer& log, const std::string& account, size_t count, std::chrono::system_clock::time_point start);

}  // namespace md::panels
