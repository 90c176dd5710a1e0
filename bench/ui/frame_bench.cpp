// bench/ui frame timing: the CPU time of one frame, NewFrame to Render without any GL draw, with
// every panel drawn and 100,000 protocol-log lines; then the real path, ProtoLog ->
// Workspace::frame() -> panels, with 200,000 entries in the ring and lines arriving at 1,000 a
// second from another thread, and selecting an account with about 100,000 lines. Prints figures;
// asserts nothing.
//   maildoctor_bench_ui [FRAMES]
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "diagnostics_panel.h"
#include "headless.h"
#include "log_panel.h"
#include "main_window.h"
#include "scenes.h"
#include "setup_panel.h"
#include "sync_panel.h"
#include "token_panel.h"
#include "workspace.h"

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
void draw_everything(const WorkspaceView& view, MainWindowState& ui) {
  ui.out.reset_timing();
  draw_main_window(view, ui);
  const char* names[] = {"Diagnostics##bench", "Token##bench", "Protocol log##bench", "Sync##bench", "Setup##bench"};
  for (int i = 0; i < 5; ++i) {
    ImGui::SetNextWindowPos(ImVec2(40.0f + 30 * i, 60.0f + 30 * i), ImGuiCond_Always);
    ImGui::SetNextWindowSize(ImVec2(900, 600), ImGuiCond_Always);
    ImGui::Begin(names[i]);
    if (i == 0) draw_diagnostics_panel(view, ui.diagnostics, ui.out);
    if (i == 1) draw_token_panel(view, ui.token, ui.out);
    if (i == 2) draw_log_panel(view, ui.log, ui.out);
    if (i == 3) draw_sync_panel(view, ui.sync, ui.out);
    if (i == 4) draw_setup_panel(view, ui.setup, ui.out);
    ImGui::End();
  }
}

void draw_everything(Scene& s) {
  draw_everything(s.view, s.ui);
  s.ui.out.commands.clear();
}

struct Figures {
  double median, p95, max;
  int vertices;
};

Figures of(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[ms.size() * 95 / 100], ms.back(), 0};
}

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

// --- The real path: ProtoLog -> Workspace::frame() -> panels -------------------------------------

double wall_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since).count();
}

// A few realistic lines, already in the shape the redactor lets through.
constexpr const char* kImapLines[] = {
    "A3 SELECT INBOX",
    "* OK [UIDVALIDITY 1] UIDs valid.",
    "* 48102 EXISTS",
    "A4 UID FETCH 48090:* (UID RFC822.SIZE FLAGS INTERNALDATE)",
    "* 48101 FETCH (UID 90211 RFC822.SIZE 18211 FLAGS (\\Seen) INTERNALDATE \"03-Dec-2026 10:00:00 +0000\")",
    "A4 OK Success",
};
constexpr size_t kImapLineCount = sizeof kImapLines / sizeof kImapLines[0];

void log_line(protolog::ProtoLog& log, const std::string& account, size_t i) {
  log.append(account, "imap", i % 2 == 0 ? protolog::Direction::client : protolog::Direction::server,
             kImapLines[i % kImapLineCount]);
}

// Appends to `account` at 1,000 lines a second (10 every 10 ms) until stopped.
class Arrivals {
 public:
  Arrivals(protolog::ProtoLog& log, std::string account)
      : thread_([this, &log, account = std::move(account)] {
          auto next = std::chrono::steady_clock::now();
          for (size_t i = 0; !stop_; ++i) {
            for (int k = 0; k < 10; ++k) log_line(log, account, i * 10 + k);
            next += std::chrono::milliseconds(10);
            std::this_thread::sleep_until(next);
          }
        }) {}
  ~Arrivals() {
    stop_ = true;
    thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// One frame as the window runs it: the workspace's frame, the panels, their commands applied.
struct FrameTime {
  double wall, cpu;  // ms: wall clock (waits on locks count), this thread's CPU
};

FrameTime real_frame(test::HeadlessImGui& imgui, Workspace& ws, MainWindowState& ui) {
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = thread_cpu_ms();
  ws.frame();
  imgui.frame([&] { draw_everything(ws.view(), ui); });
  for (const Command& c : ui.out.commands)
    if (std::holds_alternative<cmd::WatchLive>(c) || std::holds_alternative<cmd::SelectAccount>(c)) ws.apply(c);
  ui.out.commands.clear();
  return {wall_ms(t0), thread_cpu_ms() - c0};
}

void real_path(int frames) {
  const auto dir = std::filesystem::temp_directory_path() / ("maildoctor-bench-ui-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "logs");
  {
    Workspace ws(DataLayout{dir}, {});
    // 200,000 entries in the ring, alice's and bob's interleaved: 100,000 each.
    auto t0 = std::chrono::steady_clock::now();
    for (size_t i = 0; i < 200'000; ++i) log_line(ws.log(), i % 2 == 0 ? "alice" : "bob", i / 2);
    const double fill_ms = wall_ms(t0);
    t0 = std::chrono::steady_clock::now();
    ws.log().flush();
    std::printf(
        "real path (wall clock, ws.frame() + panels, a 16 ms frame cadence, files written by the log's thread)\n");
    std::printf("  200,000 appends %.0f ms on the appending thread; the writer done %.0f ms later\n", fill_ms,
                wall_ms(t0));

    test::HeadlessImGui imgui;
    MainWindowState ui;
    ui.bring_to_front = Tab::log;
    ws.apply(cmd::SelectAccount{"alice"});
    // Alice's 100,000 lines are read on a worker; the layout settles.
    for (int i = 0; i < 10 || ws.view().log->reading; ++i) {
      real_frame(imgui, ws, ui);
      std::this_thread::sleep_for(std::chrono::milliseconds(16));
    }

    Arrivals arriving(ws.log(), "alice");
    std::vector<double> wall, cpu;
    auto next = std::chrono::steady_clock::now();
    for (int i = 0; i < frames; ++i) {
      const FrameTime t = real_frame(imgui, ws, ui);
      wall.push_back(t.wall);
      cpu.push_back(t.cpu);
      next += std::chrono::milliseconds(16);
      std::this_thread::sleep_until(next);
    }
    std::printf("  alice selected (~100,000 lines shown), 1,000 new lines a second to alice, %d frames, ring %zu\n",
                frames, ws.log().size());
    const Figures w = of(wall), c = of(cpu);
    std::printf("    wall  median %.3f ms  p95 %.3f ms  max %.3f ms\n", w.median, w.p95, w.max);
    std::printf("    CPU   median %.3f ms  p95 %.3f ms  max %.3f ms\n", c.median, c.p95, c.max);

    // Selecting an account with about 100,000 lines (alice and bob in turn), lines still arriving.
    std::printf("  selecting an account with ~100,000 lines, lines arriving (wall / CPU of the UI thread):\n");
    for (int round = 0; round < 6; ++round) {
      const std::string name = round % 2 == 0 ? "bob" : "alice";
      const auto selected_at = std::chrono::steady_clock::now();
      ws.apply(cmd::SelectAccount{name});
      const FrameTime first = real_frame(imgui, ws, ui);
      // Frames at the window's cadence until the account's lines are in the view.
      FrameTime slowest = first;
      int frames_to_ready = 1;
      auto tick = std::chrono::steady_clock::now();
      while (ws.view().log->reading || ws.view().log->lines.empty()) {
        tick += std::chrono::milliseconds(16);
        std::this_thread::sleep_until(tick);
        const FrameTime t = real_frame(imgui, ws, ui);
        slowest = {std::max(slowest.wall, t.wall), std::max(slowest.cpu, t.cpu)};
        ++frames_to_ready;
      }
      const double ready_ms = wall_ms(selected_at);
      FrameTime after{0, 0};
      for (int i = 0; i < 30; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(16));
        const FrameTime t = real_frame(imgui, ws, ui);
        after = {std::max(after.wall, t.wall), std::max(after.cpu, t.cpu)};
      }
      std::printf(
          "    select %-5s %6zu lines: selecting frame %.2f / %.2f ms; lines shown after %.0f ms (%d frames, slowest "
          "%.2f / %.2f ms); the 30 frames after at most %.2f / %.2f ms\n",
          name.c_str(), ws.view().log->lines.size(), first.wall, first.cpu, ready_ms, frames_to_ready, slowest.wall,
          slowest.cpu, after.wall, after.cpu);
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
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
  real_path(frames / 2);
  return 0;
}
