// A sign-in as the user follows it, the same in the setup flow and when re-authenticating: waiting
// for the browser (with the address to copy and Cancel), the device code shown large with its link,
// then a green tick with the identity and scope checks, or a red cross with the reason and remedy.
#pragma once

#include "panel_output.h"
#include "workspace.h"

namespace md::panels {

// Draws nothing while idle. `saved_text` follows the tick ("the new token is saved."); `now` is the
// frame's clock, for the device code's lifetime.
void draw_sign_in_progress(const SignInProgress& sign_in, std::chrono::system_clock::time_point now,
                           const char* saved_text, PanelOutput& out);

// "m:ss" left of a device code, "expired" at zero.
std::string format_code_lifetime(long long seconds);

}  // namespace md::panels
