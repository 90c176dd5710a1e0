// The selected account's mailbox download: UIDVALIDITY, last synced UID, what is stored, how the
// last sync ended and the last counter reset; Sync now / Cancel with a progress bar; and the
// admin-gated Reset Mailbox Counter flow (sign-in → confirmation → result) as a modal.
#pragma once

#include <cstdint>
#include <string>

#include "panel_output.h"
#include "popup.h"
#include "workspace.h"

namespace md::panels {

enum class ResetStep { closed, sign_in, confirm, result };

// The reset modal's own state: which step shows and what has been typed. The password lives here
// only until the reset command carries it to the worker.
struct ResetFlowState {
  ResetStep step = ResetStep::closed;
  std::string account;
  char user[65] = {};
  char password[129] = {};
  bool focus_password = false;
  // The admin signed in to the window within admin::kRecentSignIn confirms it: no fields, straight
  // to the confirmation, which names them.
  bool by_window_admin = false;
  ModalFrame frame{"Reset Mailbox Counter##reset"};
};

struct SyncPanelState {
  ResetFlowState reset;
};

// The flow's rules, without a window. Opening asks for the preview; with an admin signed in to the
// window recently it goes straight to the confirmation, otherwise it asks for both fields with the
// signed-in admin's name pre-filled. Continue needs a name and a password; Reset needs the preview
// too (and the password, unless the window's admin confirms) and sends the only command that can
// move a counter back; Cancel sends nothing that changes data.
void open_reset_flow(ResetFlowState& flow, const WorkspaceView& view, PanelOutput& out);
bool can_continue_to_confirm(const ResetFlowState& flow);
bool continue_to_confirm(ResetFlowState& flow);
bool can_reset(const ResetFlowState& flow, const WorkspaceView& view);
bool confirm_reset(ResetFlowState& flow, const WorkspaceView& view, PanelOutput& out);
void retry_reset_sign_in(ResetFlowState& flow, PanelOutput& out);
void cancel_reset_flow(ResetFlowState& flow, PanelOutput& out);

// "The next sync downloads all 48102 messages again."
std::string reset_consequence(const sync::CounterReset& preview);
// 1536 → "1.5 KiB", 3 << 20 → "3.0 MiB".
std::string format_bytes(uint64_t bytes);

void draw_sync_panel(const WorkspaceView& view, SyncPanelState& state, PanelOutput& out);
// Drawn by the main window whatever tab is in front (the modal belongs to the window).
void draw_reset_modal(const WorkspaceView& view, SyncPanelState& state, PanelOutput& out);

}  // namespace md::panels
