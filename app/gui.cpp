#include "gui.h"

// glad first: it must define the GL symbols before GLFW would include a system GL header.
#include <glad/gl.h>
// clang-format off
#include <GLFW/glfw3.h>
// clang-format on
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "datadir.h"
#include "drive.h"
#include "main_window.h"
#include "platform/fonts.h"
#include "scenes.h"
#include "screenshot.h"
#include "theme.h"
#include "workspace.h"

namespace md::gui {
namespace {

// ImGui settles hover and focus state one frame after an input event: draw a second frame then.
constexpr int kFramesPerInput = 2;
// How many frames in a row a dialog may change its size and still get another frame.
constexpr int kMaxResizeFrames = 8;

void on_glfw_error(int code, const char* description) {
  std::fprintf(stderr, "maildoctor: GLFW error %d: %s\n", code, description);
}

}  // namespace

std::string library_versions() {
  return std::string("Dear ImGui ") + IMGUI_VERSION + "\nGLFW " + glfwGetVersionString() + "\n";
}

int run(const cli::GlobalArgs& args) {
  const auto started = std::chrono::steady_clock::now();

  auto dir = resolve_data_dir(args.data_dir, process_env(), current_platform());
  if (!dir) {
    std::cerr << "maildoctor: " << dir.failure().detail << "\n";
    return 2;
  }
  DataLayout layout{dir.value().path};
  // The window needs its ini file's folder before the first frame; a failure shows in the window.
  (void)prepare_data_dir(layout.root);

  glfwSetErrorCallback(on_glfw_error);
  if (!glfwInit()) {
    std::cerr << "maildoctor: cannot open a window here (no display?). The command line works without one: "
                 "maildoctor --help\n";
    return 2;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);
  // 1280x800, or the screen's work area when that is smaller (a 1024x600 netbook at a front desk).
  int width = 1280, height = 800;
  if (GLFWmonitor* monitor = glfwGetPrimaryMonitor()) {
    int x = 0, y = 0, w = 0, h = 0;
    glfwGetMonitorWorkarea(monitor, &x, &y, &w, &h);
    if (w > 0 && h > 0) {
      width = std::min(width, w);
      height = std::min(height, h);
    }
  }
  GLFWwindow* window = glfwCreateWindow(width, height, "MailDoctor", nullptr, nullptr);
  if (window == nullptr) {
    std::cerr << "maildoctor: cannot create an OpenGL 3.3 window here. The command line works without one: "
                 "maildoctor --help\n";
    glfwTerminate();
    return 2;
  }
  glfwMakeContextCurrent(window);
  glfwSwapInterval(1);
  if (gladLoadGL(glfwGetProcAddress) == 0) {
    std::cerr << "maildoctor: cannot load OpenGL 3.3 functions\n";
    glfwDestroyWindow(window);
    glfwTerminate();
    return 2;
  }

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  // The layout is remembered in the data dir, not in whatever directory the app was started from.
  const std::string ini_path = layout.imgui_ini().string();
  io.IniFilename = ini_path.c_str();
  io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;

  float scale_x = 1.0f, scale_y = 1.0f;
  glfwGetWindowContentScale(window, &scale_x, &scale_y);
  const std::string ui_font = platform::ui_font_path(MAILDOCTOR_UI_FONT);  // Windows: Segoe UI
  panels::apply_theme(scale_x, ui_font.c_str());
  float applied_scale = scale_x;

  ImGui_ImplGlfw_InitForOpenGL(window, true);
  ImGui_ImplOpenGL3_Init("#version 330 core");

  Workspace workspace(layout, [] { glfwPostEmptyEvent(); });
  // MAILDOCTOR_SCENE=NAME draws a staged state (panels/scenes.h) instead of the data dir's: the
  // screenshots in docs/ are made this way, with no account, network or browser involved.
  std::unique_ptr<panels::Scene> scene;
  if (const char* name = std::getenv("MAILDOCTOR_SCENE"); name != nullptr && *name != '\0') {
    scene = panels::make_scene(name, std::chrono::system_clock::now());
    if (!scene) {
      std::cerr << "maildoctor: unknown MAILDOCTOR_SCENE '" << name << "'\n";
      return 2;
    }
  } else {
    workspace.start();
  }
  // MAILDOCTOR_DRIVE=FILE (tests only): a script of steps run between frames (app/drive.h).
  std::unique_ptr<Driver> driver;
  if (const char* file = std::getenv("MAILDOCTOR_DRIVE"); file != nullptr && *file != '\0') {
    std::string error;
    driver = scene ? nullptr : Driver::load(file, error);
    if (!driver) {
      std::cerr << "maildoctor: MAILDOCTOR_DRIVE " << (scene ? "drives the data dir's window, not a scene" : error)
                << "\n";
      return 2;
    }
  }
  panels::MainWindowState scene_state;
  panels::MainWindowState& ui_state = scene ? scene->ui : scene_state;

  bool first_frame_done = false;
  std::chrono::steady_clock::time_point first_frame_at;
  int frames_left = kFramesPerInput;
  int exit_code = 0;

  ImVec2 modal_size(0, 0);  // the top dialog's size in the last frame
  int resize_frames = 0;    // frames in a row it changed size
  while (!glfwWindowShouldClose(window)) {
    if (frames_left > 0) {
      glfwPollEvents();
    } else {
      // Sleep until an event (input, a worker's glfwPostEmptyEvent) or the next timed redraw a
      // panel asked for; a static window does not wake at all.
      double timeout = ui_state.out.redraw_in_s;
      if (driver) timeout = std::min(timeout, driver->poll_interval_s());
      if (args.capture_file) {
        double due = args.capture_after_s -
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - first_frame_at).count();
        timeout = std::max(0.0, std::min(timeout, due));
      }
      const auto slept_from = std::chrono::steady_clock::now();
      glfwWaitEventsTimeout(timeout);
      const double slept = std::chrono::duration<double>(std::chrono::steady_clock::now() - slept_from).count();
      // Woken by the timer alone: one frame shows the new time. Woken by an event: let it settle.
      frames_left = slept >= timeout ? 1 : kFramesPerInput;
    }
    --frames_left;

    const WorkspaceView* view = nullptr;
    if (scene) {
      scene->view.now = std::chrono::system_clock::now();
      view = &scene->view;
    } else {
      workspace.frame();
      view = &workspace.view();
    }
    // The monitor's content scale times Settings > Interface scale: on a change the font atlas is
    // rebuilt at the new size (crisp text, not a stretched bitmap) and the style scaled with it.
    glfwGetWindowContentScale(window, &scale_x, &scale_y);
    const float wanted_scale = scale_x * static_cast<float>(view->interface_scale_percent) / 100.0f;
    if (wanted_scale != applied_scale) {
      panels::apply_theme(wanted_scale, ui_font.c_str());
      ImGui_ImplOpenGL3_DestroyFontsTexture();
      ImGui_ImplOpenGL3_CreateFontsTexture();
      applied_scale = wanted_scale;
    }
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    ui_state.out.reset_timing();
    if (driver) driver->before_frame(*view, ui_state);
    panels::draw_main_window(*view, ui_state);
    ImGui::Render();
    // A dialog sizes itself to what it drew in the frame before: while its size still changes (a
    // form or a failure arrived), draw again, or it shows clipped until the mouse moves.
    // A few frames at most: a size that never settles (a scrollbar coming and going) must not keep
    // an idle window awake.
    if (const ImGuiWindow* modal = ImGui::GetTopMostPopupModal()) {
      const bool changed = modal->Size.x != modal_size.x || modal->Size.y != modal_size.y;
      resize_frames = changed ? resize_frames + 1 : 0;
      if (changed && resize_frames <= kMaxResizeFrames) frames_left = std::max(frames_left, 1);
      modal_size = modal->Size;
    } else {
      modal_size = ImVec2(0, 0);
      resize_frames = 0;
    }
    // Commands run after the frame: the workspace starts their work on workers and returns.
    if (!ui_state.out.commands.empty()) {
      if (!scene)
        for (const Command& c : ui_state.out.commands) workspace.apply(c);
      ui_state.out.commands.clear();
      frames_left = std::max(frames_left, 1);  // show what the command changed
    }

    int fb_w = 0, fb_h = 0;
    glfwGetFramebufferSize(window, &fb_w, &fb_h);
    glViewport(0, 0, fb_w, fb_h);
    const ImVec4 bg = panels::background_colour();
    glClearColor(bg.x, bg.y, bg.z, bg.w);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    if (driver) {
      driver->after_render(fb_w, fb_h);
      if (driver->quit_requested()) {
        exit_code = std::max(exit_code, driver->exit_code());
        glfwSetWindowShouldClose(window, GLFW_TRUE);
      }
    }

    if (args.capture_file && first_frame_done &&
        std::chrono::steady_clock::now() - first_frame_at >= std::chrono::duration<double>(args.capture_after_s)) {
      if (!save_framebuffer_png(fb_w, fb_h, *args.capture_file)) {
        std::cerr << "maildoctor: cannot write the screenshot " << *args.capture_file << "\n";
        exit_code = 1;
      }
      glfwSetWindowShouldClose(window, GLFW_TRUE);
    }
    glfwSwapBuffers(window);

    if (!first_frame_done) {
      first_frame_done = true;
      first_frame_at = std::chrono::steady_clock::now();
      if (args.report_first_frame) {
        auto ms = std::chrono::duration<double, std::milli>(first_frame_at - started).count();
        std::printf("first_frame_ms=%.1f\n", ms);
        std::fflush(stdout);
      }
    }
  }

  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  return exit_code;
}

}  // namespace md::gui
