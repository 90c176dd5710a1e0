// The selected account's OAuth token: a live mm:ss countdown to the access token's expiry (a frame
// a second only while it shows), last refresh, refresh-token age, scopes and identity; Refresh now
// and Re-authenticate run on workers. Dead sign-ins (oauth.invalid_grant) of any account are named
// once, in an admin's modal, each with Re-authenticate Now; others see a banner.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "panel_output.h"
#include "popup.h"
#include "workspace.h"

namespace md::panels {

// The admin's pop-up naming every account whose sign-in is dead, each with Re-authenticate Now.
struct ReauthPrompt {
  ModalFrame frame{"Sign-in expired##reauth"};
  bool open = false;
  bool is_open() const { return open; }
};

struct TokenPanelState {
  ReauthPrompt reauth_prompt;
  std::string prompted_for;  // dead_sign_ins_key() of the failures the prompt last asked about
};

// An account whose sign-in cannot renew itself, and why.
struct DeadSignIn {
  std::string account;
  Failure failure;
};
// Every account with a dead sign-in: the list's (from the store and this session's refreshes and
// checks) and the selected account's token view, each once, in the list's order.
std::vector<DeadSignIn> dead_sign_ins(const WorkspaceView& view);
// Changes when an account joins the list or the selected one fails again: the prompt asks anew.
std::string dead_sign_ins_key(const WorkspaceView& view, const std::vector<DeadSignIn>& dead);

// 3599 → "59:59", 3600 → "1:00:00", negative → "00:00".
std::string format_countdown(long long seconds);
// 40 → "40 s", 300 → "5 min", 7500 → "2 h 5 min", 200000 → "2 d 7 h".
std::string format_age(long long seconds);
// Until the countdown shows its next second (so ticks land on the second, not drift).
double seconds_to_next_tick(std::chrono::system_clock::time_point expires_at,
                            std::chrono::system_clock::time_point now);
// The failure that makes the token unusable until someone signs in again, if any.
std::optional<Failure> dead_token_failure(const TokenView& token, std::chrono::system_clock::time_point now);
// A new dead sign-in the prompt has not asked about yet.
bool should_prompt_reauth(const WorkspaceView& view, const TokenPanelState& state);

void draw_token_panel(const WorkspaceView& view, TokenPanelState& state, PanelOutput& out);
// The modal naming every dead sign-in with "Re-authenticate Now" each and "Later", drawn whatever
// tab is in front; true when the user chose to re-authenticate one (the account is selected and the
// command sent).
bool draw_reauth_prompt(const WorkspaceView& view, TokenPanelState& state, PanelOutput& out);

}  // namespace md::panels
