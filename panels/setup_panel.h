// The setup flow, the seed of the product: choose the provider → the account details, pre-filled
// where known and checked as typed → Authenticate in the browser (or with a device code) → the
// identity and scope checks → Save, after which the account's checks run.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "accounts/draft.h"
#include "panel_output.h"
#include "workspace.h"

namespace md::panels {

enum class SetupStep { provider, details, authenticate, save, done };

struct SetupPanelState {
  bool provider_chosen = false;
  accounts::AccountDraft draft;            // holds the typed password and client secret until Save
  bool name_edited = false;                // the name follows the address until the user types one
  std::set<accounts::DraftField> touched;  // a field's problem shows once it was edited
  bool show_all_problems = false;          // ... or once Save or Authenticate was pressed
  // The form scrolls; the button of the step to do next must not hide below its bottom edge.
  SetupStep shown_step = SetupStep::provider;  // the step of the last frame
  bool scroll_to_next = false;                 // bring the next step's button into view (once)
  bool next_button_visible = true;             // it was on screen in the last frame
  SetupSave shown_save = SetupSave::idle;      // the save state of the last frame
  bool scroll_to_failure = false;              // a Save just failed: bring its reasons into view (once)
};

// The flow's rules, without a window.
// Where the user is: the step the numbered header marks.
SetupStep setup_step(const SetupPanelState& state, const SetupView& setup);
// The sign-in of the setup view belongs to the draft as it is now (not to an address since changed).
bool signed_in_for_draft(const SetupPanelState& state, const SetupView& setup);
std::vector<std::string> account_names(const WorkspaceView& view);
// Authenticate: an OAuth draft without problems, no sign-in or save running.
bool can_authenticate(const SetupPanelState& state, const WorkspaceView& view);
// Save: a draft without problems; OAuth ones signed in for this very draft.
bool can_save(const SetupPanelState& state, const WorkspaceView& view);
// Starts again with a blank draft of `provider` (keeping the address and name typed so far).
void choose_provider(SetupPanelState& state, accounts::Provider provider, PanelOutput& out);
// Forgets everything typed (secrets too) and the setup's sign-in.
void restart_setup(SetupPanelState& state, PanelOutput& out);
// The commands, when allowed; false (nothing sent) otherwise.
bool authenticate(SetupPanelState& state, const WorkspaceView& view, bool device, PanelOutput& out);
bool save_account(SetupPanelState& state, const WorkspaceView& view, PanelOutput& out);

void draw_setup_panel(const WorkspaceView& view, SetupPanelState& state, PanelOutput& out);
// The account's fields as typed (address, sign-in, servers, advanced), checked as typed: the setup
// flow's step 2, and the Edit dialog (draft.editing: the name is kept, an empty password keeps the
// saved one).
void draw_account_fields(SetupPanelState& state, const WorkspaceView& view,
                         const std::vector<accounts::DraftProblem>& problems);

}  // namespace md::panels
