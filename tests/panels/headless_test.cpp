// Every panel in every staged state (tests/harness/scenes.h), drawn in a headless ImGui context with the
// mouse swept and clicking across the window: no crash and no failed ImGui assertion.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>

#include "assert_hook.h"
#include "diagnostics_panel.h"
#include "headless.h"
#include "item_ids.h"
#include "log_panel.h"
#include "main_window.h"
#include "scenes.h"
#include "sync_panel.h"
#include "token_panel.h"
#include "widgets.h"

namespace md::panels {
namespace {

using std::chrono::system_clock;

void draw_scene(Scene& s) {
  s.ui.out.reset_timing();
  draw_main_window(s.view, s.ui);
  s.ui.out.commands.clear();
}

// One frame of the whole window, keeping the commands the panels sent.
void draw_collecting(Scene& s, std::vector<Command>& sent) {
  s.ui.out.reset_timing();
  draw_main_window(s.view, s.ui);
  for (Command& c : s.ui.out.commands) sent.push_back(std::move(c));
  s.ui.out.commands.clear();
}

// The panels again, each in a window of its own, as bench/ui draws them.
void draw_panels_apart(Scene& s) {
  ImGui::SetNextWindowSize(ImVec2(900, 600), ImGuiCond_Always);
  ImGui::Begin("diagnostics alone");
  draw_diagnostics_panel(s.view, s.ui.diagnostics, s.ui.out);
  ImGui::End();
  ImGui::SetNextWindowSize(ImVec2(900, 600), ImGuiCond_Always);
  ImGui::Begin("token alone");
  draw_token_panel(s.view, s.ui.token, s.ui.out);
  ImGui::End();
  ImGui::SetNextWindowSize(ImVec2(900, 600), ImGuiCond_Always);
  ImGui::Begin("log alone");
  draw_log_panel(s.view, s.ui.log, s.ui.out);
  ImGui::End();
  ImGui::SetNextWindowSize(ImVec2(900, 600), ImGuiCond_Always);
  ImGui::Begin("sync alone");
  draw_sync_panel(s.view, s.ui.sync, s.ui.out);
  ImGui::End();
}

// Fails the test with every ID clash the frames so far produced.
void check_no_id_clash(const std::string& scene) {
  for (const test::ItemIdClash& c : test::take_item_id_clashes())
    FAIL_CHECK("scene " << scene << ": " << test::describe(c));
}

}  // namespace

TEST_CASE("the ID clash recorder finds two items with one label, and PushID tells them apart") {
  test::HeadlessImGui imgui;
  (void)test::take_item_id_clashes();
  const long long before = test::recorded_item_count();
  imgui.frame([] {
    ImGui::Begin("clash");
    int choice = 1;
    ImGui::RadioButton("Password", &choice, 1);
    static char text[16] = "";
    ImGui::InputText("Password", text, sizeof text);
    ImGui::End();
  });
  CHECK(test::recorded_item_count() - before >= 2);
  auto clashes = test::take_item_id_clashes();
  REQUIRE(clashes.size() == 1);
  CHECK(clashes[0].window == "clash");
  imgui.frame([] {
    ImGui::Begin("no clash");
    for (int i = 0; i < 3; ++i) {
      ImGui::PushID(i);
      ImGui::Button("Remove");
      ImGui::PopID();
    }
    ImGui::End();
  });
  CHECK(test::take_item_id_clashes().empty());
}

TEST_CASE("every scene draws in a headless context without an ImGui assertion or an ID clash") {
  (void)test::take_item_id_clashes();
  const int before = test::failed_assertions();
  for (const std::string& name : scene_names()) {
    INFO("scene: " << name);
    auto scene = make_scene(name, kFixedSceneTime);
    REQUIRE(scene != nullptr);
    test::HeadlessImGui imgui;
    ImGuiIO& io = imgui.io();
    try {
      for (int i = 0; i < 3; ++i) imgui.frame([&] { draw_scene(*scene); });
      // Hover and click everywhere (every third click a right-click): tooltips, popups, menus,
      // row toggles, the quick-test menu, the log's line menu.
      int click = 0;
      for (float y = 12; y < 800; y += 41) {
        for (float x = 15; x < 1280; x += 113) {
          const int button = ++click % 3 == 0 ? 1 : 0;
          io.MousePos = ImVec2(x, y);
          io.MouseDown[button] = true;
          imgui.frame([&] {
            draw_scene(*scene);
            draw_panels_apart(*scene);
          });
          io.MouseDown[button] = false;
          imgui.frame([&] {
            draw_scene(*scene);
            draw_panels_apart(*scene);
          });
        }
      }
      io.MouseWheel = 5;  // scroll the log (and anything else) up, then back down
      imgui.frame([&] { draw_scene(*scene); });
      io.MouseWheel = -50;
      imgui.frame([&] { draw_scene(*scene); });
      io.MouseWheel = 0;
      check_no_id_clash(name);
    } catch (const test::AssertionFailed& e) {
      FAIL_CHECK(std::string(e.what()));
    }
  }
  CHECK(test::failed_assertions() == before);
}

TEST_CASE("a countdown asks for a frame within a second, a static panel for none or one a minute") {
  auto frame_of = [](const char* name) {
    auto scene = make_scene(name, kFixedSceneTime);
    test::HeadlessImGui imgui;
    imgui.frame([&] { draw_scene(*scene); });
    imgui.frame([&] { draw_scene(*scene); });
    scene->ui.out.reset_timing();
    imgui.frame([&] { draw_main_window(scene->view, scene->ui); });
    return scene->ui.out.redraw_in_s;
  };
  const double countdown = frame_of("token-countdown");
  CHECK(countdown > 0.0);
  CHECK(countdown <= 1.01);
  // The live strip's "expires in 52 min" changes once a minute: a frame then, none in between.
  for (const char* minutes : {"checks-green", "log-100k", "sync-idle"}) {
    CAPTURE(minutes);
    CHECK(frame_of(minutes) > 1.0);
    CHECK(frame_of(minutes) <= 60.01);
  }
  CHECK(frame_of("empty") == PanelOutput::kNoTimedRedraw);
  CHECK(frame_of("token-expired") == PanelOutput::kNoTimedRedraw);
  CHECK(frame_of("checks-running") <= kSpinnerFrameS + 1e-9);
  CHECK(frame_of("token-consent") <= kSpinnerFrameS + 1e-9);
  CHECK(frame_of("sync-progress") <= kSpinnerFrameS + 1e-9);
}

TEST_CASE("the sync and admin scenes exist and open their modals") {
  for (const char* name : {"sync-idle", "sync-progress", "reset-sign-in", "reset-confirm", "reset-wrong-password",
                           "reset-done", "admin-first-run"})
    CHECK_MESSAGE(make_scene(name, kFixedSceneTime) != nullptr, name);
  auto shown = [](const char* scene_name, bool first_admin) {
    auto scene = make_scene(scene_name, kFixedSceneTime);
    test::HeadlessImGui imgui;
    for (int i = 0; i < 3; ++i) imgui.frame([&] { draw_scene(*scene); });
    return first_admin ? scene->ui.admin.first_frame.is_shown() : scene->ui.sync.reset.frame.is_shown();
  };
  CHECK(shown("reset-sign-in", false));
  CHECK(shown("reset-confirm", false));
  CHECK(shown("reset-wrong-password", false));
  CHECK(shown("reset-done", false));
  CHECK_FALSE(shown("sync-idle", false));
  CHECK(shown("admin-first-run", true));
  CHECK(make_scene("admin-sign-in", kFixedSceneTime) != nullptr);
  CHECK_FALSE(shown("sync-idle", true));
}

TEST_CASE("reset modal: Escape at the confirmation closes it and sends no reset") {
  auto scene = make_scene("reset-confirm", kFixedSceneTime);
  test::HeadlessImGui imgui;
  ImGuiIO& io = imgui.io();
  std::vector<Command> sent;
  auto frame = [&] { imgui.frame([&] { draw_collecting(*scene, sent); }); };
  frame();
  frame();
  io.KeysDown[ImGuiKey_Escape] = true;
  frame();
  io.KeysDown[ImGuiKey_Escape] = false;
  frame();
  CHECK(scene->ui.sync.reset.step == ResetStep::closed);
  CHECK(scene->ui.sync.reset.password[0] == '\0');
  for (const Command& c : sent) CHECK_FALSE(std::holds_alternative<cmd::ResetCounter>(c));
}

TEST_CASE("the re-authentication pop-up opens once per failure and Escape means Later") {
  auto scene = make_scene("token-reauth-modal", kFixedSceneTime);
  test::HeadlessImGui imgui;
  ImGuiIO& io = imgui.io();
  imgui.frame([&] { draw_scene(*scene); });
  imgui.frame([&] { draw_scene(*scene); });
  CHECK(scene->ui.token.reauth_prompt.is_open());
  io.KeysDown[ImGuiKey_Escape] = true;
  imgui.frame([&] { draw_scene(*scene); });
  io.KeysDown[ImGuiKey_Escape] = false;
  imgui.frame([&] { draw_scene(*scene); });
  CHECK_FALSE(scene->ui.token.reauth_prompt.is_open());
  for (int i = 0; i < 3; ++i) imgui.frame([&] { draw_scene(*scene); });
  CHECK_FALSE(scene->ui.token.reauth_prompt.is_open());
  // A new failure asks again.
  scene->view.token.failure_serial = 2;
  imgui.frame([&] { draw_scene(*scene); });
  imgui.frame([&] { draw_scene(*scene); });
  CHECK(scene->ui.token.reauth_prompt.is_open());
}

TEST_CASE("another account's dead sign-in opens the pop-up on any tab, and Enter re-authenticates that one") {
  auto scene = make_scene("reauth-other-account", kFixedSceneTime);
  test::HeadlessImGui imgui;
  ImGuiIO& io = imgui.io();
  std::vector<Command> sent;
  auto frame = [&] { imgui.frame([&] { draw_collecting(*scene, sent); }); };
  for (int i = 0; i < 3; ++i) frame();
  CHECK(scene->ui.token.reauth_prompt.is_open());
  // Enter answers the default, the first account's Re-authenticate Now (bob: alice is fine).
  io.KeysDown[ImGuiKey_Enter] = true;
  frame();
  io.KeysDown[ImGuiKey_Enter] = false;
  frame();
  CHECK_FALSE(scene->ui.token.reauth_prompt.is_open());
  REQUIRE(sent.size() >= 2);
  const auto select = std::find_if(sent.begin(), sent.end(), [](const Command& c) {
    auto* select = std::get_if<cmd::SelectAccount>(&c);
    return select != nullptr && select->account == "bob";
  });
  const auto reauth = std::find_if(sent.begin(), sent.end(), [](const Command& c) {
    auto* reauth = std::get_if<cmd::Reauthenticate>(&c);
    return reauth != nullptr && reauth->account == "bob";
  });
  REQUIRE(select != sent.end());
  REQUIRE(reauth != sent.end());
  CHECK(select < reauth);  // selected first: re-authentication works on the selected account
}

TEST_CASE("a dead token with no admin signed in: no pop-up but a banner, and an admin signing in gets the pop-up") {
  auto scene = make_scene("token-dead-no-admin", kFixedSceneTime);
  test::HeadlessImGui imgui;
  for (int i = 0; i < 3; ++i) imgui.frame([&] { draw_scene(*scene); });
  CHECK_FALSE(scene->ui.token.reauth_prompt.is_open());
  scene->view.admin.session = admin::AdminSession{"carol", kFixedSceneTime};
  imgui.frame([&] { draw_scene(*scene); });
  imgui.frame([&] { draw_scene(*scene); });
  CHECK(scene->ui.token.reauth_prompt.is_open());
}

TEST_CASE("100,000 log lines: only the visible ones are drawn") {
  auto scene = make_scene("log-100k", kFixedSceneTime);
  test::HeadlessImGui imgui;
  int vertices = 0;
  for (int i = 0; i < 3; ++i) vertices = imgui.frame([&] { draw_scene(*scene); });
  CHECK(scene->ui.log.visible.size() == 100'000);
  // About 40 lines of about 60 glyphs, 4 vertices each, plus the frame: far below 100,000 lines.
  CHECK(vertices < 60'000);
  CHECK(scene->ui.log.follow);
}

TEST_CASE("panels push commands rather than acting") {
  auto scene = make_scene("checks-idle", kFixedSceneTime);
  test::HeadlessImGui imgui;
  // With no input no command is sent.
  for (int i = 0; i < 3; ++i) imgui.frame([&] { draw_main_window(scene->view, scene->ui); });
  CHECK(scene->ui.out.commands.empty());
  // The live strip asks once for the newest log lines of the subject it follows.
  scene->ui.live_watched = {};
  for (int i = 0; i < 3; ++i) imgui.frame([&] { draw_main_window(scene->view, scene->ui); });
  REQUIRE(scene->ui.out.commands.size() == 1);
  REQUIRE(std::holds_alternative<cmd::WatchLive>(scene->ui.out.commands[0]));
  CHECK(std::get<cmd::WatchLive>(scene->ui.out.commands[0]).subject == scene->view.selected);
  // An empty workspace with accounts selects the first one, once.
  auto fresh = make_scene("checks-idle", kFixedSceneTime);
  fresh->view.selected.clear();
  fresh->ui.selected_first = false;
  fresh->ui.live_watched = {};
  imgui.frame([&] { draw_main_window(fresh->view, fresh->ui); });
  auto selects = [&] {
    return std::count_if(fresh->ui.out.commands.begin(), fresh->ui.out.commands.end(),
                         [](const Command& c) { return std::holds_alternative<cmd::SelectAccount>(c); });
  };
  REQUIRE(selects() == 1);
  const auto select = std::find_if(fresh->ui.out.commands.begin(), fresh->ui.out.commands.end(),
                                   [](const Command& c) { return std::holds_alternative<cmd::SelectAccount>(c); });
  CHECK(std::get<cmd::SelectAccount>(*select).account == "alice");
  imgui.frame([&] { draw_main_window(fresh->view, fresh->ui); });
  CHECK(selects() == 1);
}

}  // namespace md::panels

namespace md::panels {

TEST_CASE("on a 1024x600 screen every scene draws, and the setup's Save is on screen or one click away") {
  const int before = test::failed_assertions();
  for (const std::string& name : scene_names()) {
    INFO("scene: " << name);
    auto scene = make_scene(name, kFixedSceneTime);
    REQUIRE(scene != nullptr);
    test::HeadlessImGui imgui(1024, 600);
    try {
      for (int i = 0; i < 3; ++i) imgui.frame([&] { draw_scene(*scene); });
      check_no_id_clash(name);
    } catch (const test::AssertionFailed& e) {
      FAIL_CHECK(std::string(e.what()));
    }
  }
  CHECK(test::failed_assertions() == before);

  // Signed in, the next step is Save, below the form's fold here: the footer names it, and its
  // button scrolls the form until Save shows.
  auto scene = make_scene("setup-signed-in", kFixedSceneTime);
  test::HeadlessImGui imgui(1024, 600);
  for (int i = 0; i < 3; ++i) imgui.frame([&] { draw_main_window(scene->view, scene->ui); });
  CHECK_FALSE(scene->ui.setup.next_button_visible);
  scene->ui.setup.scroll_to_next = true;  // what the footer's "Go to 4. Save" does
  for (int i = 0; i < 3; ++i) imgui.frame([&] { draw_main_window(scene->view, scene->ui); });
  CHECK(scene->ui.setup.next_button_visible);
}

}  // namespace md::panels
