// Dear ImGui 1.86 reads the input once a frame: each key as down or up (io.KeysDown), the mouse
// where it is now with its buttons as they are now (polled), and the characters typed since the
// last frame all at once. So input that comes faster than the window draws (a quick typist, an old
// PC, a long frame on a loaded machine) goes wrong: a press and its release between two frames
// cancel out, two Tabs in one gap move the focus once, text typed after a Tab lands in the field
// the Tab was leaving, and a click on Save right after typing acts before the last letters. 1.87
// queues input for this reason; until then the window's input callbacks go through this queue,
// and the frame reads the mouse from it (pointer()) instead of polling.
//
// Per frame it lets through:
// - at most one change of each key ImGui acts on (a letter typed twice is just two characters);
// - after a key that acts on the focus or the text (Tab, Enter, Escape, arrows, Backspace, a Ctrl
//   shortcut), no text and no other such key for that frame and the next: a Tab moves the focus in
//   the frame after its press, and the field it reaches ignores input in the frame it activates;
// - a click only as the frame's first input, where the mouse was, with nothing after it.
// The rest waits, in order, for the next frames. Plain typing flows as it comes.
#pragma once

#include <deque>
#include <functional>
#include <optional>
#include <set>
#include <utility>

namespace md::panels {

// The windowing library's actions and codes (GLFW's values; app/gui.cpp checks that they match).
enum class KeyAction { release = 0, press = 1, repeat = 2 };
inline constexpr int kFirstNonPrintableKey = 256;           // Escape; below are the keys that type
inline constexpr int kFirstModifierKey = 340;               // left Shift
inline constexpr int kLastModifierKey = 347;                // right Super
inline constexpr int kShortcutModifiers = 0x2 | 0x4 | 0x8;  // Control, Alt, Super
inline constexpr int kMouseButtons = 8;

// Where ImGui is to read the mouse this frame: the position the queue let through (none before
// the first move) and the buttons down.
struct PointerState {
  std::optional<std::pair<double, double>> position;
  bool down[kMouseButtons] = {};
};

class FrameInputQueue {
 public:
  // Where the input goes when it is let through: ImGui's own callbacks.
  struct Sinks {
    std::function<void(int key, int scancode, KeyAction action, int mods)> key;
    std::function<void(unsigned codepoint)> character;
    std::function<void(int button, KeyAction action, int mods)> mouse_button;
    std::function<void(double dx, double dy)> scroll;
  };

  explicit FrameInputQueue(Sinks sinks) : sinks_(std::move(sinks)) {}

  // From the callbacks, between frames: goes through now unless it must wait for a later frame.
  void on_key(int key, int scancode, KeyAction action, int mods) {
    push({Kind::key, key, scancode, action, mods, 0, 0, 0});
  }
  void on_character(unsigned codepoint) { push({Kind::character, 0, 0, KeyAction::press, 0, codepoint, 0, 0}); }
  void on_mouse_button(int button, KeyAction action, int mods) {
    push({Kind::mouse_button, button, 0, action, mods, 0, 0, 0});
  }
  void on_cursor(double x, double y) { push({Kind::cursor, 0, 0, KeyAction::press, 0, 0, x, y}); }
  void on_scroll(double dx, double dy) { push({Kind::scroll, 0, 0, KeyAction::press, 0, 0, dx, dy}); }

  // The mouse as the input let through so far has it.
  const PointerState& pointer() const { return pointer_; }

  // After a frame has read the input: what waited goes through, as far as one frame takes it. True
  // when something did or still waits, so the caller draws one more frame.
  bool end_frame() {
    changed_keys_.clear();
    if (command_frames_ > 0) --command_frames_;
    clicked_ = false;
    any_input_ = false;
    const bool delivered = deliver();
    return delivered || !waiting_.empty();
  }

 private:
  enum class Kind { key, character, mouse_button, cursor, scroll };
  struct Event {
    Kind kind;
    int code;  // the key, or the mouse button
    int scancode;
    KeyAction action;
    int mods;
    unsigned codepoint;
    double x, y;  // the cursor's position, or the scroll's offsets
  };

  static bool acts_before_text(const Event& e) {
    const bool modifier = e.code >= kFirstModifierKey && e.code <= kLastModifierKey;
    return !modifier && (e.code >= kFirstNonPrintableKey || (e.mods & kShortcutModifiers) != 0);
  }

  void push(const Event& e) {
    waiting_.push_back(e);
    deliver();
  }

  // Whether the frame being gathered has already taken input that this event must come after.
  bool must_wait(const Event& e) const {
    if (clicked_) return true;  // the click acts first, where the mouse was (it may move the focus)
    switch (e.kind) {
      case Kind::character: return command_frames_ > 0;  // the Tab moves the focus first, then the text
      case Kind::key:
        if (e.action == KeyAction::press && acts_before_text(e) && command_frames_ > 0) return true;
        return e.action != KeyAction::repeat && changed_keys_.count(e.code) != 0;
      case Kind::mouse_button:
        // What was typed or scrolled lands before the click, in a frame of its own.
        return e.action == KeyAction::press && any_input_;
      case Kind::cursor:
      case Kind::scroll: return false;
    }
    return false;
  }

  bool deliver() {
    bool delivered = false;
    while (!waiting_.empty() && !must_wait(waiting_.front())) {
      const Event e = waiting_.front();
      waiting_.pop_front();
      switch (e.kind) {
        case Kind::character:
          sinks_.character(e.codepoint);
          any_input_ = true;
          break;
        case Kind::key:
          // A letter's key may go down and up many times in one frame: ImGui types from the
          // characters, not from the key. A key it acts on (Tab, Shift, Ctrl+A's A) may not.
          if (e.action != KeyAction::repeat && (e.code >= kFirstNonPrintableKey || acts_before_text(e)))
            changed_keys_.insert(e.code);
          if (e.action == KeyAction::press && acts_before_text(e)) command_frames_ = 2;
          sinks_.key(e.code, e.scancode, e.action, e.mods);
          any_input_ = true;
          break;
        case Kind::mouse_button:
          if (e.code >= 0 && e.code < kMouseButtons) pointer_.down[e.code] = e.action != KeyAction::release;
          if (e.action == KeyAction::press) clicked_ = true;
          sinks_.mouse_button(e.code, e.action, e.mods);
          any_input_ = true;
          break;
        case Kind::cursor: pointer_.position = std::make_pair(e.x, e.y); break;
        case Kind::scroll:
          sinks_.scroll(e.x, e.y);
          any_input_ = true;
          break;
      }
      delivered = true;
    }
    return delivered;
  }

  Sinks sinks_;
  std::deque<Event> waiting_;  // held for a later frame, in the order they came
  PointerState pointer_;
  int command_frames_ = 0;  // frames, this one included, before text may follow a key that acts first
  // What the frame being gathered has taken since the last frame read the input:
  std::set<int> changed_keys_;  // keys ImGui acts on that went down or up
  bool clicked_ = false;        // a mouse button went down
  bool any_input_ = false;      // a key, a character, a button or the wheel (not a mere move)
};

}  // namespace md::panels
