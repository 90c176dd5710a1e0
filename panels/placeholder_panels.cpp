#include "placeholder_panels.h"

#include <imgui.h>

#include "widgets.h"

namespace md::panels {

void draw_setup_placeholder(const WorkspaceView&) {
  heading("Set up an account");
  hint_text("1. Choose the provider: Gmail, Microsoft 365 / Outlook.com, or another.");
  hint_text("2. Confirm the account details (pre-filled where known).");
  hint_text("3. Authenticate in the browser; a green tick, or a red cross with the reason.");
  hint_text("4. Save: the checks run and the account joins the live view.");
}

}  // namespace md::panels
