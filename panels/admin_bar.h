// Admin sign-in / sign-out in the top bar, and the first-run prompt that creates the first admin.
// A signed-in admin is an AdminSession the workspace keeps after verify_admin ran on a worker; it
// pre-fills the counter reset's sign-in (which still asks for the password).
#pragma once

#include <cstdint>

#include "panel_output.h"
#include "popup.h"
#include "workspace.h"

namespace md::panels {

enum class AdminForm { closed, sign_in, first_admin };

struct AdminBarState {
  AdminForm form = AdminForm::closed;
  char user[65] = {};
  char password[129] = {};
  char repeat[129] = {};  // the first admin's password, typed twice
  bool waiting = false;   // a command was sent; the answer comes with view.admin.serial
  uint64_t sent_serial = 0;
  bool first_run_prompted = false;  // the first-run prompt opens by itself once
  ModalFrame sign_in_frame{"Admin sign-in##admin"};
  ModalFrame first_frame{"Create the first admin##first_admin"};
};

// True once, when the data dir is known to have no admin: the window asks for the first one.
bool should_prompt_first_admin(const WorkspaceView& view, const AdminBarState& state);

// Inside the menu bar: "Admin sign-in..." or "Admin: NAME" with Sign out.
void draw_admin_menu(const WorkspaceView& view, AdminBarState& state, PanelOutput& out);
// The sign-in and first-admin modals; drawn by the main window every frame.
void draw_admin_modals(const WorkspaceView& view, AdminBarState& state, PanelOutput& out);

}  // namespace md::panels
