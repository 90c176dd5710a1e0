#include "token_panel.h"

#include <imgui.h>

#include <cmath>

#include "diagnostics/catalogue.h"
#include "sign_in_widget.h"
#include "theme.h"
#include "util/time.h"
#include "widgets.h"

namespace md::panels {
namespace {

using std::chrono::system_clock;

long long seconds_since(std::optional<system_clock::time_point> t, system_clock::time_point now) {
  if (!t) return -1;
  return std::chrono::duration_cast<std::chrono::seconds>(now - *t).count();
}

void field(const char* label, const std::string& value) {
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::PushStyleColor(ImGuiCol_Text, colour::muted);
  ImGui::TextUnformatted(label);
  ImGui::PopStyleColor();
  ImGui::TableNextColumn();
  ImGui::TextWrapped("%s", value.c_str());
}

void draw_countdown(const tokens::TokenStatus& s, const TokenView& token, const WorkspaceView& view, PanelOutput& out) {
  if (!s.expires_at) {
    hint_text("No access token expiry is known.");
    return;
  }
  const long long left = s.seconds_left(view.now);
  const ImVec4 col = left <= 0                                       ? colour::failure
                     : left <= tokens::kDefaultRefreshMargin.count() ? colour::warning
                                                                     : colour::ok;
  status_icon(left <= 0                                       ? Health::failed
              : left <= tokens::kDefaultRefreshMargin.count() ? Health::warning
                                                              : Health::ok);
  ImGui::SameLine();
  ImGui::PushStyleColor(ImGuiCol_Text, col);
  ImGui::SetWindowFontScale(1.6f);
  if (left > 0)
    ImGui::Text("%s", format_countdown(left).c_str());
  else
    ImGui::TextUnformatted("expired");
  ImGui::SetWindowFontScale(1.0f);
  ImGui::PopStyleColor();
  ImGui::SameLine();
  ImGui::AlignTextToFramePadding();
  const char* hint = left > 0 ? "until the access token expires (it is refreshed automatically before then)"
                     : dead_token_failure(token, view.now)
                         ? "the access token has expired and the saved sign-in no longer works"
                     : s.refreshable ? "the access token has expired; it is refreshed on the next use"
                                     : "the access token has expired and there is no refresh token";
  hint_text(hint);
  // Only a ticking countdown asks for frames: one per second, on the second.
  if (left > 0) out.redraw_within(seconds_to_next_tick(*s.expires_at, view.now));
}

void draw_details(const tokens::TokenStatus& s, const TokenView& token, system_clock::time_point now) {
  if (!ImGui::BeginTable("token_fields", 2, ImGuiTableFlags_SizingFixedFit)) return;
  ImGui::TableSetupColumn("label", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 10);
  ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch);
  field("Signed in as", s.identity.empty() ? "(unknown)" : s.identity);
  field("Expires at", s.expires_at ? util::format_iso8601(*s.expires_at) : "-");
  const long long since_refresh = seconds_since(token.refreshed_at ? token.refreshed_at : s.last_refresh_at, now);
  field("Last refresh", since_refresh < 0 ? "never" : format_age(since_refresh) + " ago");
  const long long rt_age = seconds_since(s.refresh_issued_at, now);
  field("Refresh token", !s.refreshable ? "none saved: sign in again when the access token expires"
                         : rt_age < 0   ? "saved"
                                        : "saved, issued " + format_age(rt_age) + " ago");
  std::string scopes;
  for (const std::string& sc : s.scopes) scopes += (scopes.empty() ? "" : "\n") + sc;
  field("Scopes", scopes.empty() ? "-" : scopes);
  ImGui::EndTable();
}

}  // namespace

bool draw_reauth_prompt(const WorkspaceView& view, TokenPanelState& state, PanelOutput& out) {
  const TokenView& token = view.token;
  const system_clock::time_point now = view.now;
  // The pop-up is for an admin; everyone else sees the banner asking for one.
  if (view.admin.session && should_prompt_reauth(token, state, now)) {
    state.prompted_for = token.account + "#" + std::to_string(token.failure_serial);
    const auto f = dead_token_failure(token, now);
    const auto e = diagnostics::explain(*f);
    state.reauth_prompt.message = "The account '" + token.account + "' can no longer sign in on its own: " + e.reason +
                                  "\n\nRe-authenticate now to open the provider's sign-in page in the browser.";
    state.reauth_prompt.open();
  }
  if (state.reauth_prompt.draw() != PopupAnswer::accepted) return false;
  out.send({Command::Kind::reauthenticate, token.account});
  return true;
}

std::string format_countdown(long long seconds) {
  if (seconds < 0) seconds = 0;
  char buf[32];
  if (seconds >= 3600)
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", seconds / 3600, seconds / 60 % 60, seconds % 60);
  else
    std::snprintf(buf, sizeof buf, "%02lld:%02lld", seconds / 60, seconds % 60);
  return buf;
}

std::string format_age(long long s) {
  if (s < 60) return std::to_string(s < 0 ? 0 : s) + " s";
  if (s < 3600) return std::to_string(s / 60) + " min";
  if (s < 86400) return std::to_string(s / 3600) + " h " + std::to_string(s / 60 % 60) + " min";
  return std::to_string(s / 86400) + " d " + std::to_string(s / 3600 % 24) + " h";
}

double seconds_to_next_tick(system_clock::time_point expires_at, system_clock::time_point now) {
  const double left = std::chrono::duration<double>(expires_at - now).count();
  if (left <= 0) return 1.0;
  const double frac = left - std::floor(left);
  // Just past the boundary, so the frame sees the new whole second.
  return (frac < 0.001 ? 1.0 : frac) + 0.002;
}

std::optional<Failure> dead_token_failure(const TokenView& token, system_clock::time_point now) {
  for (const auto* f : {&token.refresh_failure, token.status ? &token.status->last_error : nullptr}) {
    if (f != nullptr && *f && (*f)->code == "oauth.invalid_grant") return **f;
  }
  if (token.status && token.status->signed_in && !token.status->refreshable && token.status->expires_at &&
      token.status->seconds_left(now) <= 0)
    return Failure{"oauth.invalid_grant", "The access token has expired and there is no refresh token."};
  return std::nullopt;
}

bool should_prompt_reauth(const TokenView& token, const TokenPanelState& state, system_clock::time_point now) {
  if (token.sign_in.state == ConsentState::waiting || state.reauth_prompt.is_open()) return false;
  if (!dead_token_failure(token, now)) return false;
  return state.prompted_for != token.account + "#" + std::to_string(token.failure_serial);
}

void draw_token_panel(const WorkspaceView& view, TokenPanelState& state, PanelOutput& out) {
  const AccountSummary* account = view.selected_account();
  heading(account ? ("Token: " + account->name).c_str() : "Token");
  if (account == nullptr) {
    hint_text("Select an OAuth account to see its access token's countdown, scopes and signed-in identity.");
    return;
  }
  if (!account->oauth) {
    hint_text("This account signs in with a password: it has no OAuth token.");
    return;
  }
  const TokenView& token = view.token;
  if (token.load_error) failure_block(*token.load_error, "Cannot read the token");
  if (!token.status) {
    if (token.loading) {
      spinner();
      ImGui::SameLine();
      ImGui::TextUnformatted("Reading the token...");
      out.redraw_within(kSpinnerFrameS);
    }
    return;
  }
  const tokens::TokenStatus& s = *token.status;
  if (!s.signed_in) {
    status_icon(Health::warning);
    ImGui::SameLine();
    ImGui::TextWrapped("Not signed in yet: Re-authenticate opens the provider's sign-in page.");
  } else {
    draw_countdown(s, token, view, out);
  }
  ImGui::Spacing();
  ImGui::BeginDisabled(!s.refreshable || token.refreshing);
  if (ImGui::Button("Refresh now")) out.send({Command::Kind::refresh_token, account->name});
  ImGui::EndDisabled();
  item_tooltip(s.refreshable ? "Asks the token endpoint for a new access token now."
                             : "No refresh token is saved: Re-authenticate instead.");
  if (token.refreshing) {
    ImGui::SameLine();
    spinner();
    out.redraw_within(kSpinnerFrameS);
  }
  ImGui::SameLine();
  ImGui::BeginDisabled(token.sign_in.state == ConsentState::waiting);
  if (ImGui::Button("Re-authenticate")) out.send({Command::Kind::reauthenticate, account->name});
  item_tooltip("Opens the provider's sign-in page in the browser; the identity and scopes are checked before saving.");
  if (account->device_code) {
    ImGui::SameLine();
    Command device{Command::Kind::reauthenticate, account->name};
    device.device = true;
    if (ImGui::Button("No browser here? Use a code")) out.send(device);
    item_tooltip("Shows a code to enter at the provider's address on any phone or computer.");
  }
  ImGui::EndDisabled();
  ImGui::Spacing();
  // After "Later" the question stays on screen as a banner, so the account is not forgotten.
  if (dead_token_failure(token, view.now) && !state.reauth_prompt.is_open()) {
    ImGui::PushStyleColor(ImGuiCol_Text, colour::failure);
    ImGui::TextWrapped("%s", view.admin.session
                                 ? "This account cannot sign in on its own any more: Re-authenticate to fix it."
                                 : "This account cannot sign in on its own any more: ask an admin to sign in (top "
                                   "right) and re-authenticate it.");
    ImGui::PopStyleColor();
  }
  if (token.refresh_failure)
    failure_block(*token.refresh_failure, "The last refresh failed");
  else if (s.last_error)
    failure_block(*s.last_error, "The last refresh failed");
  draw_details(s, token, view.now);
  if (token.sign_in.state != ConsentState::idle) {
    ImGui::Separator();
    draw_sign_in_progress(token.sign_in, view.now, "the new token is saved.", out);
  }
}

}  // namespace md::panels
