// Edit, Change password and Remove of a saved account, from the accounts list: modals over
// whatever tab is open. Edit shows the setup form's fields with the saved settings (checked as
// typed); Change password only the password; Remove asks for confirmation, and for an admin when
// removing would forget the download counter. Each goes through the workspace to core/ops.
#pragma once

#include <cstdint>
#include <string>

#include "panel_output.h"
#include "popup.h"
#include "setup_panel.h"
#include "workspace.h"

namespace md::panels {

enum class AccountEditMode { closed, settings, password, remove };

struct AccountEditState {
  AccountEditMode mode = AccountEditMode::closed;
  std::string account;
  SetupPanelState form;      // the edit form: the setup flow's fields over the saved settings
  bool form_loaded = false;  // the saved settings arrived and were copied into the form
  int settle_frames = 0;     // frames still to draw while the dialog sizes itself to the form
  uint64_t seen_serial = 0;  // view.edit.serial last drawn
  bool focus_pending = false;
  char admin_user[64] = "";
  char admin_password[128] = "";
  uint64_t sent_serial = 0;  // view.edit.serial when the last save or removal was sent
  bool waiting = false;
  ModalFrame settings_frame{"Edit account##account_edit"};
  ModalFrame password_frame{"Change password##account_edit"};
  ModalFrame remove_frame{"Remove account##account_edit"};
};

// Opens one of the dialogs for `account` (its saved settings are asked for at once).
void open_account_edit(AccountEditState& state, const std::string& account, AccountEditMode mode, PanelOutput& out);
// Removing needs an admin's name and password: its footprint is not empty and no admin is signed in.
bool removal_needs_admin_credentials(const WorkspaceView& view);

void draw_account_edit(const WorkspaceView& view, AccountEditState& state, PanelOutput& out);

}  // namespace md::panels
