// maildoctor-harness: the product's window (app/gui.h) with a test's hooks, for the tests, bench/
// and docs/screenshots. Never installed; maildoctor itself knows none of these options.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drive.h"
#include "gui.h"
#include "scenes.h"
#include "screenshot.h"

namespace md::harness {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kUsage =
    "usage: maildoctor-harness [--data-dir DIR] [--scene NAME | --drive FILE]\n"
    "                          [--capture FILE [--capture-after SECONDS]] [--report-first-frame]\n"
    "  --scene NAME          draw a staged state (tests/harness/scenes.h) instead of the data dir's\n"
    "  --drive FILE          run a script of steps between frames (tests/harness/drive.h)\n"
    "  --capture FILE        write a PNG of the window SECONDS (default 1) after its first frame, then quit\n"
    "  --report-first-frame  print first_frame_ms=N once the first frame is drawn\n"
    "The window is maildoctor's own (app/gui.h); maildoctor itself knows none of these options.\n";

struct Options {
  std::optional<std::string> data_dir;
  std::optional<std::string> scene;
  std::optional<std::string> drive;
  std::optional<std::string> capture_file;
  double capture_after_s = 1.0;
  bool report_first_frame = false;
  bool help = false;
};

// The options, or a usage error naming the problem.
std::optional<Options> parse_options(const std::vector<std::string>& argv, std::string& error) {
  Options o;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argv.size()) {
        error = a + " needs a value";
        return std::nullopt;
      }
      return argv[++i];
    };
    std::optional<std::string>* target = a == "--data-dir"  ? &o.data_dir
                                         : a == "--scene"   ? &o.scene
                                         : a == "--drive"   ? &o.drive
                                         : a == "--capture" ? &o.capture_file
                                                            : nullptr;
    if (target != nullptr) {
      *target = value();
      if (!*target) return std::nullopt;
    } else if (a == "--capture-after") {
      auto v = value();
      if (!v) return std::nullopt;
      char* end = nullptr;
      o.capture_after_s = std::strtod(v->c_str(), &end);
      if (end == v->c_str() || *end != '\0' || o.capture_after_s < 0) {
        error = "--capture-after needs a number of seconds, not '" + *v + "'";
        return std::nullopt;
      }
    } else if (a == "--report-first-frame") {
      o.report_first_frame = true;
    } else if (a == "--help") {
      o.help = true;
    } else {
      error = "unknown option '" + a + "'";
      return std::nullopt;
    }
  }
  if (o.scene && o.drive) {
    error = "--drive drives the data dir's window, not a scene";
    return std::nullopt;
  }
  return o;
}

// --capture: one screenshot a given time after the first frame, then the window closes.
class DelayedCapture {
 public:
  DelayedCapture(std::string file, double after_s) : file_(std::move(file)), after_(after_s) {}

  // Seconds until the shot is due, once the first frame is up.
  std::optional<double> due_in_s(std::optional<Clock::time_point> first_frame_at) const {
    if (!first_frame_at || taken_) return std::nullopt;
    const std::chrono::duration<double> left = after_ - (Clock::now() - *first_frame_at);
    return std::max(0.0, left.count());
  }
  // Takes the shot when it is due; false when it could not be written.
  bool after_render(std::optional<Clock::time_point> first_frame_at, int fb_width, int fb_height) {
    if (!first_frame_at || taken_ || Clock::now() - *first_frame_at < after_) return true;
    taken_ = true;
    return save_framebuffer_png(fb_width, fb_height, file_);
  }
  bool taken() const { return taken_; }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::chrono::duration<double> after_;
  bool taken_ = false;
};

int run(const Options& o) {
  const auto started = Clock::now();
  std::unique_ptr<panels::Scene> scene;
  if (o.scene) {
    scene = panels::make_scene(*o.scene, std::chrono::system_clock::now());
    if (!scene) {
      std::cerr << "maildoctor-harness: unknown scene '" << *o.scene << "'\n";
      return 2;
    }
  }
  std::unique_ptr<Driver> driver;
  if (o.drive) {
    std::string error;
    driver = Driver::load(*o.drive, error);
    if (!driver) {
      std::cerr << "maildoctor-harness: --drive " << error << "\n";
      return 2;
    }
  }
  std::optional<DelayedCapture> capture;
  if (o.capture_file) capture.emplace(*o.capture_file, o.capture_after_s);

  std::optional<Clock::time_point> first_frame_at;
  int exit_code = 0;
  gui::WindowHooks hooks;
  if (scene) {
    hooks.staged_view = &scene->view;
    hooks.staged_ui = &scene->ui;
  }
  hooks.before_frame = [&](const WorkspaceView& view, panels::MainWindowState& ui) {
    if (scene) scene->view.now = std::chrono::system_clock::now();  // its countdowns tick
    if (driver) {
      driver->before_frame(view, ui);
      ui.out.redraw_within(driver->poll_interval_s());
    }
    if (capture)
      if (auto due = capture->due_in_s(first_frame_at)) ui.out.redraw_within(*due);
  };
  hooks.after_render = [&](int fb_width, int fb_height) {
    if (driver) driver->after_render(fb_width, fb_height);
    if (capture && !capture->after_render(first_frame_at, fb_width, fb_height)) {
      std::cerr << "maildoctor-harness: cannot write the screenshot " << capture->file() << "\n";
      exit_code = 1;
    }
    if (first_frame_at) return;
    first_frame_at = Clock::now();
    if (o.report_first_frame) {
      std::printf("first_frame_ms=%.1f\n",
                  std::chrono::duration<double, std::milli>(*first_frame_at - started).count());
      std::fflush(stdout);
    }
  };
  hooks.should_quit = [&] { return (driver && driver->quit_requested()) || (capture && capture->taken()); };

  int rc = gui::run(o.data_dir, hooks);
  if (driver) rc = std::max(rc, driver->exit_code());
  return std::max(rc, exit_code);
}

}  // namespace
}  // namespace md::harness

int main(int argc, char** argv) {
  std::string error;
  auto options = md::harness::parse_options(std::vector<std::string>(argv + 1, argv + argc), error);
  if (!options) {
    std::cerr << "maildoctor-harness: " << error << "\n" << md::harness::kUsage;
    return 2;
  }
  if (options->help) {
    std::cout << md::harness::kUsage;
    return 0;
  }
  return md::harness::run(*options);
}
