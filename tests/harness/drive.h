// maildoctor-harness --drive FILE: a script that drives the real window, one step a line, run in
// order between frames. Each `wait` is bounded (`timeout S`, default 30 s): when the bound passes
// the window closes with exit code 1 and a message naming the line and what was still missing.
// A line the driver does not understand is an error naming it, before anything runs.
//
//   # comment                       timeout SECONDS
//   wait accounts [N]               wait token NAME             wait checks NAME [ok|warning|failed]
//   wait sign-in-url                wait signed-in              wait saved
//   wait sign-in-ended              wait reset-preview          wait reauth-prompt
//   cancel-sign-in                  save-setup
//   wait sync NAME                  wait admin USER             select NAME
//   tab setup|diagnostics|token|sync|log
//   run-checks NAME                 expect-step NAME STEP pass|warn|fail|skip [CODE]
//   open-step NAME STEP             setup PROVIDER key=value... (value may be "quoted")
//   authenticate                    restart-setup               admin-sign-in USER PASSWORD
//   open-reset NAME                 reset-sign-in USER PASSWORD cancel-reset
//   refresh-token NAME              capture FILE                quit
//
// The steps only call the panels' own functions (panels::choose_provider, authenticate,
// open_reset_flow...) or send the same Commands the panels send: no panel logic lives here.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "main_window.h"
#include "workspace.h"

namespace md::harness {

struct DriveStep {
  int line = 0;
  std::string text;               // the line as written, for messages
  std::vector<std::string> args;  // args[0] is the verb
};

class Driver {
 public:
  // Reads and checks the whole file; nullptr and `error` (naming the line) when it cannot.
  static std::unique_ptr<Driver> load(const std::string& file, std::string& error);

  // Before the frame is drawn: runs the steps whose turn it is (waits whose condition holds, then
  // at most one action, whose effect the next frame shows).
  void before_frame(const WorkspaceView& view, panels::MainWindowState& ui);
  // After the frame is rendered, before it is shown: takes a pending screenshot.
  void after_render(int fb_width, int fb_height);

  bool quit_requested() const { return quit_; }
  int exit_code() const { return exit_code_; }
  bool done() const { return next_ >= steps_.size() && !capture_; }
  // How soon the loop should draw again while the script runs (conditions are polled).
  double poll_interval_s() const { return done() ? 1e9 : 0.03; }

 private:
  enum class Outcome { next, wait, action };
  Outcome run_step(const DriveStep& step, const WorkspaceView& view, panels::MainWindowState& ui);
  Outcome run_wait(const DriveStep& step, const WorkspaceView& view, const panels::MainWindowState& ui);
  Outcome run_action(const DriveStep& step, const WorkspaceView& view, panels::MainWindowState& ui);
  Outcome waiting(std::string what);  // notes what is still missing, for the timeout message
  void fail(const DriveStep& step, const std::string& message);

  std::string file_;
  std::vector<DriveStep> steps_;
  size_t next_ = 0;
  double timeout_s_ = 30;
  std::optional<std::chrono::steady_clock::time_point> waiting_since_;
  std::string waiting_for_;  // what the current wait still misses, for the timeout message
  struct Capture {
    std::string file;
    int frames_left;
    std::chrono::steady_clock::time_point not_before;
    DriveStep step;
  };
  std::optional<Capture> capture_;
  bool quit_ = false;
  int exit_code_ = 0;
};

}  // namespace md::harness
