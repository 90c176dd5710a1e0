// The whole window: top bar, accounts on the left, the selected account's panels on the right,
// a status line at the bottom. A function of (view, state); it only reads core state and hands
// commands back through state.out.
#pragma once

#include <optional>

#include "account_edit_panel.h"
#include "admin_bar.h"
#include "diagnostics_panel.h"
#include "live_strip.h"
#include "log_panel.h"
#include "panel_output.h"
#include "setup_panel.h"
#include "sync_panel.h"
#include "token_panel.h"
#include "workspace.h"

namespace md::panels {

enum class Tab { setup, diagnostics, token, sync, log };

// What the window remembers between frames that the core does not own.
struct MainWindowState {
  bool show_about = false;
  bool show_background = false;  // the Settings > Background work dialog opens on the next frame
  int background_check_min = 0, background_sync_min = 0;  // as typed there
  bool show_interface_scale = false;                      // Settings > Interface scale opens next frame
  int interface_scale_percent = 100;                      // as chosen there
  bool selected_first = false;                            // the first account is selected once, when the list arrives
  std::optional<Tab> bring_to_front;                      // a tab to select on the next frame
  Tab front = Tab::setup;                                 // the tab in front in the last frame
  LiveSubject live_watched;                               // whose log lines the workspace sends the strip
  // The window moved to a newly saved account's checks. Kept here, not in the setup's state: "Add
  // account" starts the setup afresh while the view still says saved (until the workspace applies
  // the clear), and must not be taken for a new save.
  bool announced_setup_save = false;
  PanelOutput out;
  DiagnosticsPanelState diagnostics;
  TokenPanelState token;
  LogPanelState log;
  SyncPanelState sync;
  AdminBarState admin;
  SetupPanelState setup;
  AccountEditState edit;  // Edit / Change password / Remove of a saved account
};

void draw_main_window(const WorkspaceView& view, MainWindowState& state);

}  // namespace md::panels
