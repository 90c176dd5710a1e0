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
#include <iostream>
#include <memory>

#include "datadir.h"
#include "frame_input_queue.h"
#include "platform/fonts.h"
#include "theme.h"

namespace md::gui {
namespace {

// ImGui settles hover and focus state one frame after an input event: draw a second frame then.
constexpr int kFramesPerInput = 2;
// How many frames in a row a dialog may change its size and still get another frame.
constexpr int kMaxResizeFrames = 8;

void on_glfw_error(int code, const char* description) {
  std::fprintf(stderr, "maildoctor: GLFW error %d: %s\n", code, description);
}

// Each piece of set-up below is undone by its destructor, in reverse order, on every way out of
// run(): an early return cannot leave GLFW or ImGui half shut down.
class GlfwLibrary {
 public:
  GlfwLibrary() : ok_(glfwInit() == GLFW_TRUE) {}
  ~GlfwLibrary() {
    if (ok_) glfwTerminate();
  }
  GlfwLibrary(const GlfwLibrary&) = delete;
  GlfwLibrary& operator=(const GlfwLibrary&) = delete;
  bool ok() const { return ok_; }

 private:
  bool ok_;
};

using WindowHandle = std::unique_ptr<GLFWwindow, void (*)(GLFWwindow*)>;

// An OpenGL 3.3 core window of 1280x800, or the screen's work area when that is smaller (a
// 1024x600 netbook at a front desk). Empty when the system cannot make one.
WindowHandle create_window() {
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);
  int width = 1280, height = 800;
  if (GLFWmonitor* monitor = glfwGetPrimaryMonitor()) {
    int x = 0, y = 0, w = 0, h = 0;
    glfwGetMonitorWorkarea(monitor, &x, &y, &w, &h);
    if (w > 0 && h > 0) {
      width = std::min(width, w);
      height = std::min(height, h);
    }
  }
  return WindowHandle(glfwCreateWindow(width, height, "MailDoctor", nullptr, nullptr), glfwDestroyWindow);
}

// The ImGui context and its GLFW and OpenGL 3 backends. `ini_file` must outlive it: the context
// saves the layout there when it is destroyed.
// The interface font: Segoe UI from the system fonts folder on Windows, the packaged one elsewhere.
const std::string& ui_font() {
  static const std::string path = platform::ui_font_path(MAILDOCTOR_UI_FONT);
  return path;
}

class ImGuiSession {
 public:
  ImGuiSession(GLFWwindow* window, const std::string& ini_file, float scale) {
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = ini_file.c_str();
    io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
    panels::apply_theme(scale, ui_font().c_str());
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init("#version 330 core");
  }
  ~ImGuiSession() {
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
  }
  ImGuiSession(const ImGuiSession&) = delete;
  ImGuiSession& operator=(const ImGuiSession&) = delete;
};

static_assert(GLFW_RELEASE == static_cast<int>(panels::KeyAction::release) &&
              GLFW_PRESS == static_cast<int>(panels::KeyAction::press) &&
              GLFW_REPEAT == static_cast<int>(panels::KeyAction::repeat));
static_assert(GLFW_KEY_ESCAPE == panels::kFirstNonPrintableKey && GLFW_KEY_LEFT_SHIFT == panels::kFirstModifierKey &&
              GLFW_KEY_RIGHT_SUPER == panels::kLastModifierKey &&
              (GLFW_MOD_CONTROL | GLFW_MOD_ALT | GLFW_MOD_SUPER) == panels::kShortcutModifiers &&
              GLFW_MOUSE_BUTTON_LAST + 1 == panels::kMouseButtons);

// Puts panels::FrameInputQueue between GLFW and ImGui's input callbacks (installed by
// ImGui_ImplGlfw_InitForOpenGL, restored by its shutdown), and gives ImGui the mouse the queue let
// through: input faster than the frames is neither lost nor reordered.
class FrameInput {
 public:
  explicit FrameInput(GLFWwindow* window)
      : window_(window),
        queue_({[this](int key, int scancode, panels::KeyAction action, int mods) {
                  if (imgui_.key) imgui_.key(window_, key, scancode, static_cast<int>(action), mods);
                },
                [this](unsigned codepoint) {
                  if (imgui_.character) imgui_.character(window_, codepoint);
                },
                [this](int button, panels::KeyAction action, int mods) {
                  if (imgui_.mouse_button) imgui_.mouse_button(window_, button, static_cast<int>(action), mods);
                },
                [this](double dx, double dy) {
                  if (imgui_.scroll) imgui_.scroll(window_, dx, dy);
                }}) {
    active_ = this;
    imgui_.key = glfwSetKeyCallback(window, [](GLFWwindow*, int key, int scancode, int action, int mods) {
      if (active_) active_->queue_.on_key(key, scancode, static_cast<panels::KeyAction>(action), mods);
    });
    imgui_.character = glfwSetCharCallback(window, [](GLFWwindow*, unsigned codepoint) {
      if (active_) active_->queue_.on_character(codepoint);
    });
    imgui_.mouse_button = glfwSetMouseButtonCallback(window, [](GLFWwindow*, int button, int action, int mods) {
      if (active_) active_->queue_.on_mouse_button(button, static_cast<panels::KeyAction>(action), mods);
    });
    imgui_.scroll = glfwSetScrollCallback(window, [](GLFWwindow*, double dx, double dy) {
      if (active_) active_->queue_.on_scroll(dx, dy);
    });
    imgui_.cursor = glfwSetCursorPosCallback(window, [](GLFWwindow* w, double x, double y) {
      if (!active_) return;
      active_->queue_.on_cursor(x, y);
      if (active_->imgui_.cursor) active_->imgui_.cursor(w, x, y);
    });
  }
  ~FrameInput() {
    glfwSetKeyCallback(window_, imgui_.key);
    glfwSetCharCallback(window_, imgui_.character);
    glfwSetMouseButtonCallback(window_, imgui_.mouse_button);
    glfwSetScrollCallback(window_, imgui_.scroll);
    glfwSetCursorPosCallback(window_, imgui_.cursor);
    active_ = nullptr;
  }
  FrameInput(const FrameInput&) = delete;
  FrameInput& operator=(const FrameInput&) = delete;

  // After ImGui_ImplGlfw_NewFrame, which polled the mouse: the mouse as the queue let it through.
  void apply_pointer() const {
    ImGuiIO& io = ImGui::GetIO();
    const panels::PointerState& pointer = queue_.pointer();
    for (int i = 0; i < panels::kMouseButtons && i < IM_ARRAYSIZE(io.MouseDown); ++i) io.MouseDown[i] = pointer.down[i];
    // Only where the backend found the mouse over the window (or the window focused).
    if (pointer.position && ImGui::IsMousePosValid(&io.MousePos))
      io.MousePos = ImVec2(static_cast<float>(pointer.position->first), static_cast<float>(pointer.position->second));
  }
  // After the frame read the input; true when held input went through or still waits (draw again).
  bool end_frame() { return queue_.end_frame(); }

 private:
  static inline FrameInput* active_ = nullptr;  // GLFW's callbacks carry no context of ours
  GLFWwindow* window_;
  struct {
    GLFWkeyfun key = nullptr;
    GLFWcharfun character = nullptr;
    GLFWmousebuttonfun mouse_button = nullptr;
    GLFWscrollfun scroll = nullptr;
    GLFWcursorposfun cursor = nullptr;
  } imgui_;  // the callbacks the ImGui backend installed
  panels::FrameInputQueue queue_;
};

// Sleeps until an event (input, a worker's glfwPostEmptyEvent) or the next timed redraw a panel
// asked for; a static window does not wake at all. Returns how many frames to draw now.
int wait_for_next_frame(double redraw_in_s) {
  const auto slept_from = std::chrono::steady_clock::now();
  glfwWaitEventsTimeout(redraw_in_s);
  const double slept = std::chrono::duration<double>(std::chrono::steady_clock::now() - slept_from).count();
  // Woken by the timer alone: one frame shows the new time. Woken by an event: let it settle.
  return slept >= redraw_in_s ? 1 : kFramesPerInput;
}

// The monitor's content scale times Settings > Interface scale: on a change the font atlas is
// rebuilt at the new size (crisp text, not a stretched bitmap) and the style scaled with it.
void follow_interface_scale(GLFWwindow* window, int interface_scale_percent, float& applied_scale) {
  float scale_x = 1.0f, scale_y = 1.0f;
  glfwGetWindowContentScale(window, &scale_x, &scale_y);
  const float wanted_scale = scale_x * static_cast<float>(interface_scale_percent) / 100.0f;
  if (wanted_scale == applied_scale) return;
  panels::apply_theme(wanted_scale, ui_font().c_str());
  ImGui_ImplOpenGL3_DestroyFontsTexture();
  ImGui_ImplOpenGL3_CreateFontsTexture();
  applied_scale = wanted_scale;
}

// A dialog sizes itself to what it drew in the frame before: while its size still changes (a form
// or a failure arrived), it needs another frame, or it shows clipped until the mouse moves. A few
// frames at most: a size that never settles (a scrollbar coming and going) must not keep an idle
// window awake.
class ModalSizeWatch {
 public:
  bool needs_another_frame() {
    const ImGuiWindow* modal = ImGui::GetTopMostPopupModal();
    if (modal == nullptr) {
      size_ = ImVec2(0, 0);
      changes_ = 0;
      return false;
    }
    const bool changed = modal->Size.x != size_.x || modal->Size.y != size_.y;
    changes_ = changed ? changes_ + 1 : 0;
    size_ = modal->Size;
    return changed && changes_ <= kMaxResizeFrames;
  }

 private:
  ImVec2 size_{0, 0};  // the top dialog's size in the last frame
  int changes_ = 0;    // frames in a row it changed size
};

}  // namespace

std::string library_versions() {
  return std::string("Dear ImGui ") + IMGUI_VERSION + "\nGLFW " + glfwGetVersionString() + "\n";
}

int run(const std::optional<std::string>& data_dir, const WindowHooks& hooks) {
  auto dir = resolve_data_dir(data_dir, process_env(), current_platform());
  if (!dir) {
    std::cerr << "maildoctor: " << dir.failure().detail << "\n";
    return 2;
  }
  DataLayout layout{dir.value().path};
  // The window needs its ini file's folder before the first frame; a failure shows in the window.
  (void)prepare_data_dir(layout.root);
  // The layout is remembered in the data dir, not in whatever directory the app was started from.
  const std::string ini_path = layout.imgui_ini().string();

  glfwSetErrorCallback(on_glfw_error);
  GlfwLibrary glfw;
  if (!glfw.ok()) {
    std::cerr << "maildoctor: cannot open a window here (no display?). The command line works without one: "
                 "maildoctor --help\n";
    return 2;
  }
  WindowHandle window = create_window();
  if (!window) {
    std::cerr << "maildoctor: cannot create an OpenGL 3.3 window here. The command line works without one: "
                 "maildoctor --help\n";
    return 2;
  }
  glfwMakeContextCurrent(window.get());
  glfwSwapInterval(1);
  if (gladLoadGL(glfwGetProcAddress) == 0) {
    std::cerr << "maildoctor: cannot load OpenGL 3.3 functions\n";
    return 2;
  }
  float scale_x = 1.0f, scale_y = 1.0f;
  glfwGetWindowContentScale(window.get(), &scale_x, &scale_y);
  ImGuiSession imgui(window.get(), ini_path, scale_x);
  FrameInput frame_input(window.get());
  float applied_scale = scale_x;

  // Declared after GLFW and ImGui so that it goes first: its workers wake the loop through GLFW.
  Workspace workspace(layout, [] { glfwPostEmptyEvent(); });
  const bool staged = hooks.staged_view != nullptr && hooks.staged_ui != nullptr;
  if (!staged) workspace.start();
  panels::MainWindowState own_ui;
  panels::MainWindowState& ui = staged ? *hooks.staged_ui : own_ui;

  int frames_left = kFramesPerInput;
  ModalSizeWatch modal;
  while (!glfwWindowShouldClose(window.get())) {
    if (frames_left > 0) {
      glfwPollEvents();
    } else {
      frames_left = wait_for_next_frame(ui.out.redraw_in_s);
    }
    --frames_left;

    if (!staged) workspace.frame();
    const WorkspaceView& view = staged ? *hooks.staged_view : workspace.view();
    follow_interface_scale(window.get(), view.interface_scale_percent, applied_scale);
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    frame_input.apply_pointer();
    ImGui::NewFrame();
    ui.out.reset_timing();
    if (hooks.before_frame) hooks.before_frame(view, ui);
    panels::draw_main_window(view, ui);
    ImGui::Render();
    if (modal.needs_another_frame()) frames_left = std::max(frames_left, 1);
    if (frame_input.end_frame()) frames_left = std::max(frames_left, 1);
    // Commands run after the frame: the workspace starts their work on workers and returns.
    if (!ui.out.commands.empty()) {
      if (!staged)
        for (const Command& c : ui.out.commands) workspace.apply(c);
      ui.out.commands.clear();
      frames_left = std::max(frames_left, 1);  // show what the command changed
    }

    int fb_w = 0, fb_h = 0;
    glfwGetFramebufferSize(window.get(), &fb_w, &fb_h);
    glViewport(0, 0, fb_w, fb_h);
    const ImVec4 bg = panels::background_colour();
    glClearColor(bg.x, bg.y, bg.z, bg.w);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    if (hooks.after_render) hooks.after_render(fb_w, fb_h);
    if (hooks.should_quit && hooks.should_quit()) glfwSetWindowShouldClose(window.get(), GLFW_TRUE);
    glfwSwapBuffers(window.get());
  }
  return 0;
}

}  // namespace md::gui
