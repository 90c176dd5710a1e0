// A modal as a reusable piece (ImHex's popup.hpp idea): ModalFrame for modals whose body a panel
// draws (the admin sign-in, the reset confirmation, the re-authentication prompt, the account edits).
#pragma once

#include <string>
#include <utility>

namespace md::panels {

// A centred modal whose body the caller draws. `wanted` says whether the flow it belongs to is
// open: the modal opens when it turns true and the caller's state stays the one source of truth.
//   if (frame.begin(state.step != Step::closed)) { ...body...; frame.end(); }
struct ModalFrame {
  explicit ModalFrame(std::string id) : id(std::move(id)) {}
  std::string id;  // the ImGui popup id, also its title

  // True while shown: draw the body, then call end().
  bool begin(bool wanted);
  // Closes it from inside the body (the caller also moves its state to closed).
  void close();
  void end();
  // Escape was pressed this frame while it showed.
  bool escape_pressed() const;
  // Enter (or the keypad's) was pressed this frame while no text field is being edited: the
  // dialog's default action. ImGui 1.86's keyboard navigation presses buttons with Space only.
  bool enter_pressed() const;
  // It showed in the last frame (for tests).
  bool is_shown() const { return shown_; }

 private:
  bool shown_ = false;
};

}  // namespace md::panels
