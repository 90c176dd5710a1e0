// A modal question with two answers, as a reusable piece (ImHex's popup.hpp idea): a panel keeps
// one in its state, opens it when something happens, and draws it every frame. Used for the
// re-authentication prompt. ModalFrame is the same piece for modals whose body a panel draws (the
// admin sign-in, the reset confirmation and its result).
#pragma once

#include <string>
#include <utility>

namespace md::panels {

enum class PopupAnswer { none, accepted, declined };

struct QuestionPopup {
  QuestionPopup(std::string id, std::string accept, std::string decline)
      : id(std::move(id)), accept_label(std::move(accept)), decline_label(std::move(decline)) {}

  std::string id;  // the ImGui popup id, also its title: "Sign-in expired##reauth"
  std::string message;
  std::string accept_label;
  std::string decline_label;

  // Asks for the popup to open on the next draw (OpenPopup must run where BeginPopupModal does).
  void open() { open_requested_ = true; }
  bool is_open() const { return shown_; }
  // Draws it when open; returns the answer in the frame the user gives it (Escape declines).
  PopupAnswer draw();

 private:
  bool open_requested_ = false;
  bool shown_ = false;
};

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
