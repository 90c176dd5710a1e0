#include "token_panel.h"

#include <imgui.h>

#include <cmath>

#include "diagnostics/catalogue.h"
#include "sign_in_widget.h"
#include "theme.h"
#include "util/text.h"
#include "util/time.h"
#include "widgets.h"

namespace md::panels {
namespace {

using std::chrono::system_clock;

long long seconds_since(std::optional<system_clock::time_point> t, system_clock::time_point now) {
  if (!t) return -1;
  return std::chrono::duration_cast<std::chrono::seconds>(now - *t).count();
}

void draw_countdown(const tokens::TokenStatus& s, const TokenView& token, const WorkspaceView& view, PanelOutput& out) {
  if (!s.expires_at) {
    hint_text("No access token expiry is known.");
    return;
  }
  const long long left = s.seconds_left(view.now);
  const ImVec4 col = left <= 0 || dead_token_failure(token, view.now) ? colour::failure
                     : left <= tokens::kDefaultRefreshMargin.count()  ? colour::warning
                                                                      : colour::ok;
  status_icon(left <= 0 || dead_token_failure(token, view.now) ? Health::failed
              : left <= tokens::kDefaultRefreshMargin.count()  ? Health::warning
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
  // A refused refresh (invalid_grant) kills the sign-in even while the access token still works: say so,
  // never "refreshed automatically".
  const bool dead = dead_token_failure(token, view.now).has_value();
  const char* hint =
      left > 0 && dead            ? "until the access token expires; the sign-in is dead (its refresh was refused): "
                                    "re-authenticate before then"
      : left > 0 && s.refreshable ? "until the access token expires (it is refreshed automatically before then)"
      : left > 0                  ? "until the access token expires; there is no refresh token: sign in again then"
      : dead                      ? "the access token has expired and the saved sign-in no longer works"
      : s.refreshable             ? "the access token has expired; it is refreshed on the next use"
                                  : "the access token has expired and there is no refresh token";
  hint_text(hint);
  // Only a ticking countdown asks for frames: one per second, on the second.
  if (left > 0) out.redraw_within(seconds_to_next_tick(*s.expires_at, view.now));
}

void draw_details(const tokens::TokenStatus& s, const TokenView& token, system_clock::time_point now) {
  if (!ImGui::BeginTable("token_fields", 2, ImGuiTableFlags_SizingFixedFit)) return;
  ImGui::TableSetupColumn("label", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 10);
  ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch);
  table_field("Signed in as", s.identity.empty() ? "(unknown)" : s.identity, CellText::wrapped);
  table_field("Expires at", s.expires_at ? local_time(*s.expires_at) : "-", CellText::wrapped);
  if (s.expires_at) utc_tooltip(*s.expires_at);
  const long long since_refresh = seconds_since(token.refreshed_at ? token.refreshed_at : s.last_refresh_at, now);
  table_field("Last refresh", since_refresh < 0 ? "never" : format_age(since_refresh) + " ago", CellText::wrapped);
  const long long rt_age = seconds_since(s.refresh_issued_at, now);
  table_field("Refresh token",
              s.sign_in_dead()         ? "refused by the provider: re-authenticate"
              : !s.refresh_token_saved ? "none saved: sign in again when the access token expires"
              : rt_age < 0             ? "saved"
                                       : "saved, issued " + format_age(rt_age) + " ago",
              CellText::wrapped);
  const std::string scopes = util::join(s.scopes, "\n");
  table_field("Scopes", scopes.empty() ? "-" : scopes, CellText::wrapped);
  ImGui::EndTable();
}

}  // namespace

bool draw_reauth_prompt(const WorkspaceView& view, TokenPanelState& state, PanelOutput& out) {
  const std::vector<DeadSignIn> dead = dead_sign_ins(view);
  // The pop-up is for an admin; everyone else sees the banner asking for one.
  if (view.admin.session && should_prompt_reauth(view, state)) {
    state.prompted_for = dead_sign_ins_key(view, dead);
    state.reauth_prompt.open = true;
  }
  if (dead.empty()) state.reauth_prompt.open = false;
  ReauthPrompt& prompt = state.reauth_prompt;
  if (!prompt.frame.begin(prompt.open)) return false;
  ImGui::TextUnformatted(dead.size() == 1 ? "This account can no longer sign in on its own:"
                                          : "These accounts can no longer sign in on their own:");
  ImGui::Spacing();
  std::optional<std::string> chosen;
  for (const DeadSignIn& d : dead) {
    ImGui::PushID(d.account.c_str());
    ImGui::Separator();
    status_icon(Health::failed);
    ImGui::SameLine();
    ImGui::TextUnformatted(d.account.c_str());
    hint_text(diagnostics::explain(d.failure).reason.c_str());
    if (ImGui::Button("Re-authenticate Now")) chosen = d.account;
    if (&d == &dead.front()) ImGui::SetItemDefaultFocus();  // Enter answers the first
    item_tooltip("Opens the provider's sign-in page in the browser for this account.");
    ImGui::PopID();
  }
  ImGui::Separator();
  if (!chosen && prompt.frame.enter_pressed()) chosen = dead.front().account;
  const bool later = ImGui::Button("Later") || prompt.frame.escape_pressed();
  if (chosen || later) {
    prompt.open = false;
    prompt.frame.close();
  }
  prompt.frame.end();
  if (!chosen) return false;
  // Re-authentication works on the selected account: select it first (commands apply in order).
  if (view.selected != *chosen) out.send(cmd::SelectAccount{*chosen});
  out.send(cmd::Reauthenticate{*chosen});
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
  if (token.status && token.status->signed_in && !token.status->refresh_token_saved && token.status->expires_at &&
      token.status->seconds_left(now) <= 0)
    return Failure{"oauth.invalid_grant", "The access token has expired and there is no refresh token."};
  return std::nullopt;
}

std::vector<DeadSignIn> dead_sign_ins(const WorkspaceView& view) {
  std::vector<DeadSignIn> out;
  const std::optional<Failure> selected = dead_token_failure(view.token, view.now);
  bool selected_listed = false;
  for (const AccountSummary& a : view.accounts) {
    if (selected && a.name == view.token.account) {
      out.push_back({a.name, *selected});
      selected_listed = true;
    } else if (a.dead_sign_in && !(a.name == view.token.account && view.token.status && !selected)) {
      // The token view is newer than the list for the selected account: a re-authentication that
      // just succeeded is not dead any more.
      out.push_back({a.name, *a.dead_sign_in});
    }
  }
  if (selected && !selected_listed && !view.token.account.empty()) out.push_back({view.token.account, *selected});
  return out;
}

std::string dead_sign_ins_key(const WorkspaceView& view, const std::vector<DeadSignIn>& dead) {
  std::string key;
  for (const DeadSignIn& d : dead) {
    key += d.account;
    if (d.account == view.token.account) key += "#" + std::to_string(view.token.failure_serial);
    key += '\n';
  }
  return key;
}

bool should_prompt_reauth(const WorkspaceView& view, const TokenPanelState& state) {
  if (view.token.sign_in.state == ConsentState::waiting || state.reauth_prompt.is_open()) return false;
  const std::vector<DeadSignIn> dead = dead_sign_ins(view);
  if (dead.empty()) return false;
  return state.prompted_for != dead_sign_ins_key(view, dead);
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
  if (ImGui::Button("Refresh now")) out.send(cmd::RefreshToken{account->name});
  ImGui::EndDisabled();
  item_tooltip(s.refreshable      ? "Asks the token endpoint for a new access token now."
               : s.sign_in_dead() ? "The provider refused the saved sign-in: Re-authenticate instead."
                                  : "No refresh token is saved: Re-authenticate instead.");
  if (token.refreshing) {
    ImGui::SameLine();
    spinner();
    out.redraw_within(kSpinnerFrameS);
  }
  ImGui::SameLine();
  ImGui::BeginDisabled(token.sign_in.state == ConsentState::waiting);
  if (ImGui::Button("Re-authenticate")) out.send(cmd::Reauthenticate{account->name});
  item_tooltip("Opens the provider's sign-in page in the browser; the identity and scopes are checked before saving.");
  if (account->device_code) {
    ImGui::SameLine();
    if (ImGui::Button("No browser here? Use a code")) out.send(cmd::Reauthenticate{account->name, true});
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
