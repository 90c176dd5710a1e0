// The selected account's OAuth token: a live mm:ss countdown to the access token's expiry (a frame
// a second only while it shows), last refresh, refresh-token age, scopes and identity; Refresh now
// and Re-authenticate run on workers. A dead token (oauth.invalid_grant) asks once, in a modal,
// whether to re-authenticate now.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "panel_output.h"
#include "popup.h"
#include "workspace.h"

namespace md::panels {

struct TokenPanelState {
  QuestionPopup reauth_prompt{"Sign-in expired##reauth", "Re-authenticate Now", "Later"};
  std::string prompted_for;  // "account#serial" of the failure the prompt last asked about
};

// 3599 → "59:59", 3600 → "1:00:00", negative → "00:00".
std::string format_countdown(long long seconds);
// 40 → "40 s", 300 → "5 min", 7500 → "2 h 5 min", 200000 → "2 d 7 h".
std::string format_age(long long seconds);
// Until the countdown shows its next second (so ticks land on the second, not drift).
double seconds_to_next_tick(std::chrono::system_clock::time_point expires_at,
                            std::chrono::system_clock::time_point now);
// The failure that makes the token unusable until someone signs in again, if any.
std::optional<Failure> dead_token_failure(const TokenView& token, std::chrono::system_clock::time_point now);
// A new dead-token failure the prompt has not asked about yet.
bool should_prompt_reauth(const TokenView& token, const TokenPanelState& state,
                          std::chrono::system_clock::time_point now);

void draw_token_panel(const WorkspaceView& view, TokenPanelState& state, PanelOutput& out);
// The "Re-authenticate Now" / "Later" modal, drawn whatever tab is in front; true when the user
// chose to re-authenticate (the command is already sent).
bool draw_reauth_prompt(const WorkspaceView& view, TokenPanelState& state, PanelOutput& out);

}  // namespace md::panels
