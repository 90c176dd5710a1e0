// Dear ImGui 1.86 reads each key as down or up once a frame (io.KeysDown). A press and its release
// that both arrive between two frames (a quick tap while the window is busy: an old PC, a long
// frame) cancel out, and the Tab, Enter or Escape is lost. 1.87 queues input for this reason; until
// then the window's key callback goes through this queue, which holds such a release back to the
// next frame. Characters are not affected: ImGui queues them itself.
#pragma once

#include <functional>
#include <set>
#include <utility>
#include <vector>

namespace md::panels {

// The windowing library's key actions (GLFW's values; app/gui.cpp checks that they match).
enum class KeyAction { release = 0, press = 1, repeat = 2 };

class KeyReleaseQueue {
 public:
  using Forward = std::function<void(int key, int scancode, KeyAction action, int mods)>;

  explicit KeyReleaseQueue(Forward forward) : forward_(std::move(forward)) {}

  // From the key callback, between frames.
  void on_key(int key, int scancode, KeyAction action, int mods) {
    if (action == KeyAction::release && pressed_.count(key) != 0) {
      held_.push_back({key, scancode, mods});
      return;
    }
    if (action == KeyAction::press) pressed_.insert(key);
    forward_(key, scancode, action, mods);
  }

  // After a frame has read the keys: the held releases go through now. True when some did, so the
  // caller draws one more frame and the key is seen up again.
  bool end_frame() {
    pressed_.clear();
    if (held_.empty()) return false;
    std::vector<Held> held;
    held.swap(held_);
    for (const Held& h : held) forward_(h.key, h.scancode, KeyAction::release, h.mods);
    return true;
  }

 private:
  struct Held {
    int key;
    int scancode;
    int mods;
  };
  Forward forward_;
  std::set<int> pressed_;  // keys pressed since the last frame read them
  std::vector<Held> held_;
};

}  // namespace md::panels
