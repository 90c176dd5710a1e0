// What a frame of panels hands back to the loop: the commands for the workspace, and how soon
// something time-driven on screen (a countdown, a spinner) needs the next frame.
#pragma once

#include <algorithm>
#include <vector>

#include "workspace.h"

namespace md::panels {

struct PanelOutput {
  static constexpr double kNoTimedRedraw = 1e9;

  std::vector<Command> commands;
  // The loop sleeps until an event or this many seconds: a static window never wakes.
  double redraw_in_s = kNoTimedRedraw;

  void send(Command c) { commands.push_back(std::move(c)); }
  void redraw_within(double seconds) { redraw_in_s = std::min(redraw_in_s, std::max(seconds, 0.0)); }
  // Called by the loop before each frame.
  void reset_timing() { redraw_in_s = kNoTimedRedraw; }
};

}  // namespace md::panels
