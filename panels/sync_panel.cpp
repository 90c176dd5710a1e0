#include "sync_panel.h"

#include <imgui.h>

#include <cstdio>
#include <cstring>

#include "diagnostics/catalogue.h"
#include "theme.h"
#include "util/time.h"
#include "widgets.h"

namespace md::panels {
namespace {

void wipe(char* buf, size_t size) {
  std::memset(buf, 0, size);
}

const char* protocol_name(accounts::Protocol p) {
  return p == accounts::Protocol::imap ? "IMAP" : "POP3";
}

std::string last_sync_text(const sync::MailboxState& s) {
  if (!s.last_sync_at) return "never";
  std::string text = local_time(*s.last_sync_at);
  if (s.last_sync_result) text += "  (" + *s.last_sync_result + ")";
  if (s.last_sync_detail && !s.last_sync_detail->empty()) text += "\n" + *s.last_sync_detail;
  return text;
}

void draw_status(const sync::SyncStatus& st) {
  if (!st.protocol) {
    hint_text("This account has no IMAP or POP3 server set up: there is nothing to sync.");
    return;
  }
  if (!ImGui::BeginTable("sync_status", 2, ImGuiTableFlags_SizingStretchProp)) return;
  ImGui::TableSetupColumn("label", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 11);
  ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch);
  table_field("Protocol", protocol_name(*st.protocol));
  if (*st.protocol == accounts::Protocol::imap) {
    table_field("UIDVALIDITY",
                st.state && st.state->uidvalidity ? std::to_string(*st.state->uidvalidity) : "not synced yet");
    table_field("Last synced UID", std::to_string(st.state ? st.state->last_uid : 0));
  } else {
    table_field("Downloaded UIDLs", std::to_string(st.pop3_uidls));
  }
  table_field("Stored messages",
              std::to_string(st.stored.messages) + "  (" + format_bytes(static_cast<uint64_t>(st.stored.bytes)) + ")");
  table_field("Last sync", st.state ? last_sync_text(*st.state) : "never");
  table_field("Last counter reset",
              st.last_reset ? local_time(st.last_reset->at) + " by " + st.last_reset->admin : "never");
  ImGui::EndTable();
}

void draw_progress(const SyncView& s, PanelOutput& out) {
  const sync::Progress& p = s.progress;
  const float fraction = p.total > 0 ? static_cast<float>(p.done) / static_cast<float>(p.total) : 0.0f;
  char overlay[64];
  std::snprintf(overlay, sizeof overlay, "%llu / %llu messages", static_cast<unsigned long long>(p.done),
                static_cast<unsigned long long>(p.total));
  // The accent colour, not amber: a sync under way is not a warning.
  ImGui::PushStyleColor(ImGuiCol_PlotHistogram, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
  ImGui::ProgressBar(fraction, ImVec2(-1, 0), overlay);
  ImGui::PopStyleColor();
  const double rate = p.seconds > 0 ? static_cast<double>(p.done) / p.seconds : 0;
  spinner();
  ImGui::SameLine();
  ImGui::Text("%s downloaded, %.0f messages/s", format_bytes(p.bytes).c_str(), rate);
  out.redraw_within(kSpinnerFrameS);
  if (s.cancelling) {
    ImGui::BeginDisabled();
    ImGui::Button("Cancelling...");
    ImGui::EndDisabled();
    item_tooltip("Stops after the current message; what is stored stays stored.");
  } else if (ImGui::Button("Cancel")) {
    out.send(cmd::CancelSync{});
  }
}

void draw_last_run(const SyncView& s) {
  if (s.failure) {
    failure_block(*s.failure, "The last sync failed");
  } else if (s.summary) {
    status_icon(Health::ok);
    ImGui::SameLine();
    ImGui::TextWrapped("Downloaded %llu new message(s), %s, in %.1f s.",
                       static_cast<unsigned long long>(s.summary->downloaded), format_bytes(s.summary->bytes).c_str(),
                       s.summary->seconds);
  }
}

void draw_sign_in_step(const WorkspaceView& view, ResetFlowState& flow, PanelOutput& out) {
  ImGui::TextWrapped("Only an admin may reset the download counter of '%s'. Sign in as an admin to continue.",
                     flow.account.c_str());
  ImGui::Spacing();
  // Enter in the name goes on to the password, as Tab does.
  if (ImGui::InputText("Admin user", flow.user, sizeof flow.user, ImGuiInputTextFlags_EnterReturnsTrue) &&
      flow.user[0] != '\0')
    flow.focus_password = true;
  if (flow.focus_password) {
    ImGui::SetKeyboardFocusHere();
    flow.focus_password = false;
  }
  const bool entered = ImGui::InputText("Password", flow.password, sizeof flow.password,
                                        ImGuiInputTextFlags_Password | ImGuiInputTextFlags_EnterReturnsTrue);
  if (view.admin.session && view.admin.session->user == flow.user)
    hint_text("Pre-filled: you are signed in to MailDoctor as this admin. The password is asked again.");
  ImGui::Spacing();
  ImGui::BeginDisabled(!can_continue_to_confirm(flow));
  if (ImGui::Button("Continue") || (entered && can_continue_to_confirm(flow))) continue_to_confirm(flow);
  ImGui::EndDisabled();
  item_tooltip("Shows what the reset will do before anything changes.");
  ImGui::SameLine();
  if (ImGui::Button("Cancel") || flow.frame.escape_pressed()) cancel_reset_flow(flow, out);
}

void draw_confirm_step(const WorkspaceView& view, ResetFlowState& flow, PanelOutput& out) {
  const ResetView& r = view.reset;
  if (r.stage == ResetStage::previewing || r.stage == ResetStage::idle) {
    spinner();
    ImGui::SameLine();
    ImGui::TextUnformatted("Reading what the reset would change...");
    out.redraw_within(kSpinnerFrameS);
  } else if (r.stage == ResetStage::failed && r.failure) {
    failure_block(*r.failure, "Cannot prepare the reset");
  } else if (r.preview) {
    const sync::CounterReset& p = *r.preview;
    status_icon(Health::warning);
    ImGui::SameLine();
    if (p.protocol == accounts::Protocol::imap)
      ImGui::TextWrapped(
          "The IMAP counter of '%s' (UIDVALIDITY %s, last synced UID %u) goes back to 0.", flow.account.c_str(),
          p.old_uidvalidity ? std::to_string(*p.old_uidvalidity).c_str() : "not synced yet", p.old_last_uid);
    else
      ImGui::TextWrapped("The POP3 counter of '%s' (%lld downloaded UIDLs) is cleared.", flow.account.c_str(),
                         static_cast<long long>(p.old_uidl_count));
    ImGui::PushStyleColor(ImGuiCol_Text, colour::warning);
    ImGui::TextWrapped("%s", reset_consequence(p).c_str());
    ImGui::PopStyleColor();
    hint_text(
        "Messages already stored are replaced, not duplicated. The reset is written to the audit log "
        "with your admin name.");
  }
  if (flow.by_window_admin && view.admin.session) {
    ImGui::Spacing();
    status_icon(Health::ok);
    ImGui::SameLine();
    ImGui::TextWrapped("Confirmed by the admin '%s', signed in to MailDoctor at %s.", view.admin.session->user.c_str(),
                       local_time(view.admin.session->verified_at).c_str());
    utc_tooltip(view.admin.session->verified_at);
    hint_text(("Within " + std::to_string(admin::kRecentSignIn.count()) +
               " minutes of an admin sign-in the password is not asked again.")
                  .c_str());
  }
  ImGui::Spacing();
  ImGui::BeginDisabled(!can_reset(flow, view));
  const bool enter = flow.frame.enter_pressed() && can_reset(flow, view);
  if (ImGui::Button("Reset counter") || enter) confirm_reset(flow, view, out);
  ImGui::EndDisabled();
  item_tooltip(flow.by_window_admin ? "Resets and audits in one step, in the name of the signed-in admin."
                                    : "Verifies the admin password, then resets and audits in one step.");
  if (flow.by_window_admin) {
    ImGui::SameLine();
    if (ImGui::Button("Another admin...")) retry_reset_sign_in(flow, out);
    item_tooltip("Confirm with another admin's name and password instead.");
  }
  ImGui::SameLine();
  if (ImGui::Button("Cancel") || flow.frame.escape_pressed()) cancel_reset_flow(flow, out);
}

void draw_result_step(const WorkspaceView& view, ResetFlowState& flow, PanelOutput& out) {
  const ResetView& r = view.reset;
  if (r.stage == ResetStage::resetting) {
    spinner();
    ImGui::SameLine();
    ImGui::TextUnformatted("Verifying the admin and resetting the counter...");
    out.redraw_within(kSpinnerFrameS);
    return;
  }
  if (r.stage == ResetStage::done) {
    status_icon(Health::ok);
    ImGui::SameLine();
    ImGui::TextWrapped("The counter of '%s' was reset. The next sync downloads the whole mailbox again.",
                       flow.account.c_str());
    ImGui::Indent();
    copyable_field("Audit row", std::string(sync::kActionResetCounter) + " by " + r.admin + " at " +
                                    (r.at ? util::format_iso8601(*r.at) : std::string("?")) + ", confirmed with " +
                                    (r.confirmed_with == admin::Confirmation::password
                                         ? "the admin password"
                                         : "the admin's recent sign-in to MailDoctor"));
    ImGui::Unindent();
    if (ImGui::Button("Close") || flow.frame.escape_pressed()) cancel_reset_flow(flow, out);
    return;
  }
  if (r.failure) failure_block(*r.failure, "The counter was not reset");
  hint_text("Nothing was changed.");
  if (ImGui::Button("Try again")) retry_reset_sign_in(flow, out);
  ImGui::SameLine();
  if (ImGui::Button("Close") || flow.frame.escape_pressed()) cancel_reset_flow(flow, out);
}

}  // namespace

std::string format_bytes(uint64_t bytes) {
  char buf[32];
  if (bytes < 1024)
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  else if (bytes < (1ull << 20))
    std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(bytes) / 1024.0);
  else if (bytes < (1ull << 30))
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  else
    std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
  return buf;
}

std::string reset_consequence(const sync::CounterReset& preview) {
  return "The next sync downloads all " + std::to_string(preview.will_download) + " messages again.";
}

void open_reset_flow(ResetFlowState& flow, const WorkspaceView& view, PanelOutput& out) {
  flow.step = ResetStep::sign_in;
  flow.account = view.selected;
  wipe(flow.user, sizeof flow.user);
  wipe(flow.password, sizeof flow.password);
  flow.by_window_admin = view.admin.session && admin::signed_in_recently(*view.admin.session, view.now);
  if (view.admin.session) {
    std::snprintf(flow.user, sizeof flow.user, "%s", view.admin.session->user.c_str());
    flow.focus_password = true;
  }
  if (flow.by_window_admin) flow.step = ResetStep::confirm;
  out.send(cmd::PreviewReset{flow.account});
}

bool can_continue_to_confirm(const ResetFlowState& flow) {
  return flow.step == ResetStep::sign_in && flow.user[0] != '\0' && flow.password[0] != '\0';
}

bool continue_to_confirm(ResetFlowState& flow) {
  if (!can_continue_to_confirm(flow)) return false;
  flow.step = ResetStep::confirm;
  return true;
}

bool can_reset(const ResetFlowState& flow, const WorkspaceView& view) {
  const bool confirmed = flow.by_window_admin || (flow.user[0] != '\0' && flow.password[0] != '\0');
  return flow.step == ResetStep::confirm && confirmed && view.reset.account == flow.account &&
         view.reset.stage == ResetStage::ready && view.reset.preview.has_value();
}

bool confirm_reset(ResetFlowState& flow, const WorkspaceView& view, PanelOutput& out) {
  if (!can_reset(flow, view)) return false;
  cmd::ResetCounter c{flow.account, {}, {}};
  // No name: the workspace takes the window's admin (and checks again that the sign-in is recent).
  if (!flow.by_window_admin) {
    c.user = flow.user;
    c.password = flow.password;
  }
  wipe(flow.password, sizeof flow.password);
  out.send(std::move(c));
  flow.step = ResetStep::result;
  return true;
}

void retry_reset_sign_in(ResetFlowState& flow, PanelOutput& out) {
  flow.step = ResetStep::sign_in;
  flow.by_window_admin = false;  // asked again: the password this time
  wipe(flow.password, sizeof flow.password);
  flow.focus_password = true;
  out.send(cmd::PreviewReset{flow.account});
}

void cancel_reset_flow(ResetFlowState& flow, PanelOutput& out) {
  flow.step = ResetStep::closed;
  wipe(flow.password, sizeof flow.password);
  out.send(cmd::CloseReset{});
}

void draw_sync_panel(const WorkspaceView& view, SyncPanelState& state, PanelOutput& out) {
  const AccountSummary* account = view.selected_account();
  if (account == nullptr) {
    heading("Mailbox sync");
    hint_text("Select an account on the left to see its mailbox download.");
    return;
  }
  const SyncView& s = view.sync;
  heading(("Mailbox sync: " + account->name + " (" + account->email + ")").c_str());
  if (s.running && s.account != account->name) {
    // One sync at a time in the window: the other account's shows until it ends.
    hint_text(("'" + s.account + "' is syncing; this account's status shows when it ends.").c_str());
    draw_progress(s, out);
    return;
  }
  if (s.load_error) failure_block(*s.load_error, "Cannot read the sync status");
  if (s.status) {
    draw_status(*s.status);
  } else if (s.loading) {
    spinner();
    ImGui::SameLine();
    ImGui::TextUnformatted("Reading the sync status...");
    out.redraw_within(kSpinnerFrameS);
  }
  ImGui::Spacing();
  const bool can_sync = s.account == account->name && (!s.status || s.status->protocol.has_value());
  if (s.running) {
    draw_progress(s, out);
  } else {
    ImGui::BeginDisabled(!can_sync);
    if (ImGui::Button("Sync now")) out.send(cmd::SyncNow{account->name});
    ImGui::EndDisabled();
    item_tooltip("Downloads the messages of INBOX that are new since the last synced UID.");
    draw_last_run(s);
  }
  ImGui::Spacing();
  ImGui::Separator();
  ImGui::BeginDisabled(s.running || !can_sync);
  if (ImGui::Button("Reset Mailbox Counter...")) open_reset_flow(state.reset, view, out);
  ImGui::EndDisabled();
  item_tooltip("Admins only: makes the next sync download the whole mailbox again (audited).");
}

void draw_reset_modal(const WorkspaceView& view, SyncPanelState& state, PanelOutput& out) {
  ResetFlowState& flow = state.reset;
  if (!flow.frame.begin(flow.step != ResetStep::closed)) return;
  switch (flow.step) {
    case ResetStep::sign_in: draw_sign_in_step(view, flow, out); break;
    case ResetStep::confirm: draw_confirm_step(view, flow, out); break;
    case ResetStep::result: draw_result_step(view, flow, out); break;
    case ResetStep::closed: break;
  }
  if (flow.step == ResetStep::closed) flow.frame.close();
  flow.frame.end();
}

}  // namespace md::panels
