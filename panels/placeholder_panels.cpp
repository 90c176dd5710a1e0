#include "placeholder_panels.h"

#include <imgui.h>

#include "widgets.h"

namespace md::panels {
namespace {

void ladder_preview() {
  static constexpr const char* kSteps[] = {"DNS", "TCP", "TLS", "Greeting", "Capabilities", "Sign-in", "Mailbox"};
  if (!ImGui::BeginTable("ladder_preview", 3, ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_RowBg)) return;
  ImGui::TableSetupColumn("Step", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 10);
  ImGui::TableSetupColumn("Status", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 4);
  ImGui::TableSetupColumn("Detail");
  ImGui::TableHeadersRow();
  for (const char* step : kSteps) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(step);
    ImGui::TableNextColumn();
    status_icon(Health::unknown);
    ImGui::TableNextColumn();
    hint_text("not run");
  }
  ImGui::EndTable();
}

}  // namespace

void draw_setup_placeholder(const WorkspaceView&) {
  heading("Set up an account");
  hint_text("1. Choose the provider: Gmail, Microsoft 365 / Outlook.com, or another.");
  hint_text("2. Confirm the account details (pre-filled where known).");
  hint_text("3. Authenticate in the browser; a green tick, or a red cross with the reason.");
  hint_text("4. Save: the checks run and the account joins the live view.");
}

void draw_diagnostics_placeholder(const WorkspaceView&) {
  heading("Diagnostics");
  hint_text(
      "Select an account to run the check ladder. Every red cross opens to the failure code, "
      "the reason, the remedy and the server's own words.");
  ImGui::Spacing();
  ladder_preview();
}

void draw_token_placeholder(const WorkspaceView&) {
  heading("Token");
  hint_text(
      "The access token's expiry countdown, last refresh, scopes and signed-in identity appear here "
      "for OAuth accounts.");
}

void draw_sync_placeholder(const WorkspaceView&) {
  heading("Mailbox sync");
  hint_text(
      "UIDVALIDITY, the last synced UID, stored messages and the admin-gated Reset Mailbox Counter "
      "appear here.");
}

void draw_log_placeholder(const WorkspaceView& view) {
  heading("Protocol log");
  if (view.log_seq == 0)
    hint_text("Nothing captured yet. The live IMAP / POP3 / SMTP / HTTP transcript appears here, secrets redacted.");
  else
    ImGui::Text("%llu lines captured", static_cast<unsigned long long>(view.log_seq));
}

}  // namespace md::panels
