// The live strip under whatever tab is open: one subject (the selected account, or the draft being
// set up while the Setup tab is in front), its tick or cross with the first failure's one-line
// reason, the access token's time left, the last synced UID, and the newest lines of its protocol
// log, so setup and the diagnostics of what is happening now are on screen together.
#pragma once

#include <string>

#include "panel_output.h"
#include "workspace.h"

namespace md::panels {

struct LiveSubject {
  std::string name;    // "" for none
  bool draft = false;  // the account being set up, not saved yet
  bool operator==(const LiveSubject& o) const { return name == o.name && draft == o.draft; }
};

// The setup's draft while the Setup tab is in front and a draft has a name (and is not saved yet);
// otherwise the selected account.
LiveSubject live_subject(const WorkspaceView& view, bool setup_in_front, bool setup_provider_chosen,
                         const std::string& draft_name);

// The subject's state in one line: "Checks running: 3 step(s) done", "IMAP sign-in: the server
// refused the user name or password [auth.bad_credentials]", "Signed in as alice@example.com".
struct LiveStatus {
  Health health = Health::unknown;
  bool busy = false;  // a spinner instead of an icon
  std::string text;
  std::string tooltip;  // the whole reason and remedy, where there is a failure
};
LiveStatus live_status(const WorkspaceView& view, const LiveSubject& subject, bool oauth_draft);
// "Access token: expires in 52 min", "Sign-in dead: re-authenticate", "Password sign-in"; "" while
// unknown. Minutes, not a ticking countdown: the strip is always on screen and an idle window sleeps.
std::string live_token_line(const WorkspaceView& view, const LiveSubject& subject);
// "Last synced UID 1234 (UIDVALIDITY 17)", "Not synced yet", "POP3: 12 messages downloaded"; "" while unknown.
std::string live_sync_line(const WorkspaceView& view, const LiveSubject& subject);
// When the token line next changes its text (seconds), for the loop's timed redraw.
double live_token_redraw_in(const WorkspaceView& view, const LiveSubject& subject);

// How many log lines the strip shows in a panel area this tall: all kLiveTailLines on a usual
// screen, two on a small one (1024x600), so the tab above keeps room for its form.
size_t live_strip_rows(float area_height);
// Draws the strip with `rows` log lines in the space given (the caller sizes it: live_strip_height()).
void draw_live_strip(const WorkspaceView& view, const LiveSubject& subject, bool oauth_draft, size_t rows,
                     PanelOutput& out, bool& open_log);
float live_strip_height(size_t rows);

}  // namespace md::panels
