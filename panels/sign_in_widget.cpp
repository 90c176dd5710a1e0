#include "sign_in_widget.h"

#include <imgui.h>

#include <algorithm>

#include "widgets.h"

namespace md::panels {
namespace {

bool has_scope(const std::vector<std::string>& granted, const std::string& scope) {
  return std::any_of(granted.begin(), granted.end(), [&](const std::string& g) {
    return g.size() == scope.size() && std::equal(g.begin(), g.end(), scope.begin(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
           });
  });
}

void check_line(bool ok, const std::string& text) {
  status_icon(ok ? Health::ok : Health::failed);
  ImGui::SameLine();
  ImGui::TextWrapped("%s", text.c_str());
}

void draw_waiting_browser(const SignInProgress& p, PanelOutput& out) {
  spinner();
  ImGui::SameLine();
  ImGui::TextUnformatted("Waiting for the browser...");
  ImGui::SameLine();
  if (ImGui::Button("Cancel##sign_in")) out.send(cmd::CancelConsent{});
  item_tooltip("Stops waiting for the sign-in; nothing is saved.");
  if (!p.url.empty()) {
    hint_text(
        "Sign in on the page that opened. If no browser opened, copy this address into a browser on this "
        "computer:");
    copyable_field("Sign-in address", p.url);
  }
}

void draw_waiting_device(const SignInProgress& p, std::chrono::system_clock::time_point now, PanelOutput& out) {
  if (p.user_code.empty()) {
    spinner();
    ImGui::SameLine();
    ImGui::TextUnformatted("Asking the provider for a code...");
  } else {
    ImGui::TextWrapped("On any phone or computer, open this address and enter the code:");
    copyable_field("Address", p.verification_uri);
    ImGui::SetWindowFontScale(2.2f);
    ImGui::TextUnformatted(p.user_code.c_str());
    ImGui::SetWindowFontScale(1.0f);
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    ImGui::PushID("code");
    copy_button(
        "Copy", [&] { return p.user_code; }, "Copies the code to the clipboard.", true);
    ImGui::PopID();
    if (p.code_expires_at) {
      const long long left = std::chrono::duration_cast<std::chrono::seconds>(*p.code_expires_at - now).count();
      spinner();
      ImGui::SameLine();
      ImGui::Text("Waiting for the sign-in; the code expires in %s.", format_code_lifetime(left).c_str());
    }
  }
  ImGui::SameLine();
  if (ImGui::Button("Cancel##sign_in")) out.send(cmd::CancelConsent{});
  item_tooltip("Stops waiting for the sign-in; nothing is saved.");
}

}  // namespace

std::string format_code_lifetime(long long seconds) {
  if (seconds <= 0) return "expired";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld:%02lld", seconds / 60, seconds % 60);
  return buf;
}

void draw_sign_in_progress(const SignInProgress& p, std::chrono::system_clock::time_point now, const char* saved_text,
                           PanelOutput& out) {
  switch (p.state) {
    case ConsentState::idle: return;
    case ConsentState::waiting:
      if (p.mode == SignInMode::device)
        draw_waiting_device(p, now, out);
      else
        draw_waiting_browser(p, out);
      out.redraw_within(kSpinnerFrameS);
      return;
    case ConsentState::succeeded:
      status_icon(Health::ok);
      ImGui::SameLine();
      ImGui::TextWrapped("Signed in as %s; %s", p.identity.c_str(), saved_text);
      ImGui::Indent();
      check_line(true, "The signed-in identity is the account's address.");
      if (!p.mail_scope.empty())
        check_line(has_scope(p.granted_scopes, p.mail_scope), "Mail access granted (" + p.mail_scope + ").");
      ImGui::Unindent();
      return;
    case ConsentState::failed:
      if (p.failure) failure_block(*p.failure, "Sign-in failed");
      return;
  }
}

}  // namespace md::panels
