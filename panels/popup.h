// A modal question with two answers, as a reusable piece (ImHex's popup.hpp idea): a panel keeps
// one in its state, opens it when something happens, and draws it every frame. Used for the
// re-authentication prompt; the admin sign-in and the reset confirmation will be such pieces too.
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

}  // namespace md::panels
