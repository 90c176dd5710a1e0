// bench/ui frame timing: the CPU time of one frame, NewFrame to Render without any GL draw, with
// every panel drawn and 100,000 protocol-log lines. Prints figures; asserts nothing.
//   maildoctor_bench_ui [FRAMES]
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "diagnostics_panel.h"
#include "headless.h"
#include "log_panel.h"
#include "main_window.h"
#include "scenes.h"
#include "setup_panel.h"
#include "sync_panel.h"
#include "token_panel.h"

namespace {

using namespace md;
using namespace md::panels;

double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

// The main window on `tab`, plus the diagnostics, token, log, sync and setup panels each in a
// window of its own, so every panel is drawn in every frame.
void draw_everything(Scene& s) {
  s.ui.out.reset_timing();
  draw_main_window(s.view, s.ui);
  const char* names[] = {"Diagnostics##bench", "Token##bench", "Protocol log##bench", "Sync##bench", "Setup##bench"};
  for (int i = 0; i < 5; ++i) {
    ImGui::SetNextWindowPos(ImVec2(40.0f + 30 * i, 60.0f + 30 * i), ImGuiCond_Always);
    ImGui::SetNextWindowSize(ImVec2(900, 600), ImGuiCond_Always);
    ImGui::Begin(names[i]);
    if (i == 0) draw_diagnostics_panel(s.view, s.ui.diagnostics, s.ui.out);
    if (i == 1) draw_token_panel(s.view, s.ui.token, s.ui.out);
    if (i == 2) draw_log_panel(s.view, s.ui.log, s.ui.out);
    if (i == 3) draw_sync_panel(s.view, s.ui.sync, s.ui.out);
    if (i == 4) draw_setup_panel(s.view, s.ui.setup, s.ui.out);
    ImGui::End();
  }
  s.ui.out.commands.clear();
}

struct Figures {
  double median, p95, max;
  int vertices;
};

Figures measure(Scene& scene, int frames, bool lines_arriving) {
  test::HeadlessImGui imgui;
  for (int i = 0; i < 10; ++i) imgui.frame([&] { draw_everything(scene); });  // layout settles
  std::vector<double> ms;
  int vertices = 0;
  const auto start = std::chrono::system_clock::now();
  for (int i = 0; i < frames; ++i) {
    if (lines_arriving) fill_log(scene.log, "alice", 20, start);  // a busy sync: 20 lines a frame
    scene.view.now = start + std::chrono::milliseconds(16 * i);
    const double t0 = thread_cpu_ms();
    vertices = imgui.frame([&] { draw_everything(scene); });
    ms.push_back(thread_cpu_ms() - t0);
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[ms.size() * 95 / 100], ms.back(), vertices};
}

std::unique_ptr<Scene> everything(const char* base) {
  auto s = make_scene(base, std::chrono::system_clock::now());
  // The failed ladder, opened, beside the log and the countdown.
  auto failed = make_scene("checks-failed", s->view.now);
  s->view.checks["alice"] = failed->view.checks.at("bob");
  s->ui.diagnostics.opened = {"imap.tls"};
  // A sync under way, and a setup form filled in and signed in.
  auto syncing = make_scene("sync-progress", s->view.now);
  s->view.sync = syncing->view.sync;
  auto setup = make_scene("setup-signed-in", s->view.now);
  s->view.setup = setup->view.setup;
  s->ui.setup = setup->ui.setup;
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const int frames = argc > 1 ? std::max(10, std::atoi(argv[1])) : 600;
  std::printf("bench/ui: %d frames each, NewFrame..Render on this thread's CPU clock, no GL draw\n", frames);
  struct Case {
    const char* label;
    const char* scene;
    bool arriving;
  };
  const Case cases[] = {
      {"every panel, 100,000 log lines, following the newest", "log-100k", false},
      {"every panel, 100,000 log lines, text + protocol filter", "log-filtered", false},
      {"every panel, 100,000 log lines + 20 new lines a frame", "log-100k", true},
  };
  for (const Case& c : cases) {
    auto scene = everything(c.scene);
    const Figures f = measure(*scene, frames, c.arriving);
    std::printf("  %-58s median %.3f ms  p95 %.3f ms  max %.3f ms  (%d vertices)\n", c.label, f.median, f.p95, f.max,
                f.vertices);
  }
  return 0;
}
