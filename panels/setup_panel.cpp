#include "setup_panel.h"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <functional>
#include <memory>

#include "sign_in_widget.h"
#include "theme.h"
#include "widgets.h"

namespace md::panels {
namespace {

using accounts::AuthMethod;
using accounts::DraftField;
using accounts::Provider;
using accounts::Security;

const char* provider_title(Provider p) {
  switch (p) {
    case Provider::gmail: return "Gmail / Google Workspace";
    case Provider::microsoft: return "Microsoft 365 / Outlook.com";
    case Provider::custom: return "Another provider";
  }
  return "";
}

// Microsoft offers the device code for mail; Google refuses it for the Gmail scope; elsewhere the
// issuer's discovery document decides (and the sign-in says so when it has none).
bool offers_device_code(Provider p) {
  return p != Provider::gmail;
}

std::vector<accounts::DraftProblem> problems_of(const SetupPanelState& state, const WorkspaceView& view) {
  return accounts::check_draft(state.draft, account_names(view));
}

// The numbered steps; a password account has no Authenticate step (its Save is step 3, as the
// form's own section says).
void step_header(SetupStep current, bool with_sign_in) {
  static constexpr const char* kNames[] = {"Provider", "Details", "Authenticate", "Save"};
  int number = 0;
  for (int i = 0; i < 4; ++i) {
    const auto step = static_cast<SetupStep>(i);
    if (step == SetupStep::authenticate && !with_sign_in) continue;
    if (i > 0) {
      ImGui::SameLine();
      ImGui::TextDisabled(">");
      ImGui::SameLine();
    }
    const bool done = static_cast<int>(current) > i;
    if (done) {
      status_icon(Health::ok);
      ImGui::SameLine(0, ImGui::GetStyle().ItemInnerSpacing.x);
    }
    ImGui::PushStyleColor(ImGuiCol_Text, step == current ? ImGui::GetStyleColorVec4(ImGuiCol_Text) : colour::muted);
    ImGui::Text("%d. %s", ++number, kNames[i]);
    ImGui::PopStyleColor();
  }
}

void section(const char* title) {
  ImGui::Spacing();
  ImGui::Separator();
  ImGui::TextUnformatted(title);
}

// A labelled input whose problem shows under it once the user has been there.
// `beside` draws on the field's own line (the server's security choice), before any problem line.
void text_field(SetupPanelState& state, const std::vector<accounts::DraftProblem>& problems, const char* label,
                std::string* value, DraftField field, const char* tooltip, ImGuiInputTextFlags flags = 0,
                const char* placeholder = "", const std::function<void()>& beside = {}) {
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 22);
  if (ImGui::InputTextWithHint(label, placeholder, value, flags)) state.touched.insert(field);
  item_tooltip(tooltip);
  if (beside) beside();
  const accounts::DraftProblem* p = accounts::problem_of(problems, field);
  if (p != nullptr && (state.show_all_problems || state.touched.count(field) != 0)) {
    ImGui::Indent();
    status_icon(Health::failed);
    ImGui::SameLine();
    ImGui::PushStyleColor(ImGuiCol_Text, colour::failure);
    ImGui::TextWrapped("%s", p->message.c_str());
    ImGui::PopStyleColor();
    ImGui::Unindent();
  }
}

void security_combo(const char* id, Security& security) {
  static constexpr const char* kNames[] = {"TLS", "STARTTLS", "None (unencrypted)"};
  int index = static_cast<int>(security);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
  if (ImGui::Combo(id, &index, kNames, 3)) security = static_cast<Security>(index);
  item_tooltip("TLS from the first byte (993, 995, 465), or STARTTLS after a plain greeting (143, 110, 587).");
}

void draw_provider_choice(SetupPanelState& state, PanelOutput& out) {
  section("1. Who hosts the mailbox?");
  for (Provider p : {Provider::gmail, Provider::microsoft, Provider::custom}) {
    const bool chosen = state.provider_chosen && state.draft.provider == p;
    if (chosen) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    if (ImGui::Button(provider_title(p), ImVec2(ImGui::GetFontSize() * 14, 0)) && !chosen)
      choose_provider(state, p, out);
    if (chosen) ImGui::PopStyleColor();
    item_tooltip(p == Provider::custom ? "Any other IMAP/POP3/SMTP server: you enter its addresses."
                                       : "Its servers and sign-in addresses are filled in for you.");
    if (p != Provider::custom) ImGui::SameLine();
  }
}

}  // namespace

void draw_account_fields(SetupPanelState& state, const WorkspaceView& view,
                         const std::vector<accounts::DraftProblem>& problems) {
  accounts::AccountDraft& d = state.draft;
  const std::string before = d.email;
  text_field(state, problems, "Email address", &d.email, DraftField::email, "The mailbox's address.", 0,
             "name@example.com");
  if (d.editing) {
    // The name is how the command line and the store know it: an edit keeps it.
    ImGui::AlignTextToFramePadding();
    hint_text(("Name in MailDoctor: " + d.name).c_str());
  } else {
    if (d.email != before && !state.name_edited) d.name = accounts::suggest_name(d.email, account_names(view));
    const std::string typed_name = d.name;
    text_field(state, problems, "Name in MailDoctor", &d.name, DraftField::name,
               "A short handle for the account, used by the command line too (maildoctor check NAME).");
    if (d.name != typed_name) state.name_edited = true;
  }

  int auth = d.auth == AuthMethod::oauth2 ? 0 : 1;
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("Sign in with");
  ImGui::SameLine();
  // "##sign_in_with": the Password field below has the same label; one ID for both aborts ImGui.
  ImGui::RadioButton("OAuth 2.0 in the browser##sign_in_with", &auth, 0);
  item_tooltip(d.provider == Provider::custom ? "For servers that accept OAuth bearer tokens (XOAUTH2 / OAUTHBEARER)."
                                              : "Recommended: the way this provider wants mail programs to sign in.");
  ImGui::SameLine();
  ImGui::RadioButton(d.provider == Provider::custom ? "Password##sign_in_with" : "App password##sign_in_with", &auth,
                     1);
  item_tooltip("A password sent to the mail servers (over TLS).");
  d.auth = auth == 0 ? AuthMethod::oauth2 : AuthMethod::password;

  if (d.auth == AuthMethod::oauth2) {
    text_field(state, problems, "OAuth client ID", &d.client_id, DraftField::client_id,
               "The client ID of the desktop app you registered with the provider (user guide: \"Register an OAuth "
               "client\").");
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 22);
    ImGui::InputTextWithHint("Client secret", "only if the provider gave one", &d.client_secret,
                             ImGuiInputTextFlags_Password);
    item_tooltip("Google gives desktop apps a client secret as well; Microsoft does not. Kept encrypted.");
    if (d.provider == Provider::microsoft) {
      ImGui::SetNextItemWidth(ImGui::GetFontSize() * 22);
      ImGui::InputTextWithHint("Tenant", "common", &d.tenant);
      item_tooltip("Your organisation's tenant ID or domain; 'common' works for most accounts.");
    }
    if (d.provider == Provider::custom) {
      text_field(state, problems, "Issuer", &d.issuer, DraftField::issuer,
                 "The sign-in server's address; its endpoints are read from /.well-known/openid-configuration.", 0,
                 "https://login.example.com");
      text_field(state, problems, "Scopes", &d.scopes, DraftField::scopes,
                 "Space-separated, in any order: the mail server's scope and e.g. openid email offline_access.");
    }
  } else {
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 22);
    ImGui::InputTextWithHint("User name", "the email address", &d.username);
    item_tooltip("Only when the server wants another login name than the address.");
    text_field(state, problems, "Password", &d.password, DraftField::password,
               "Kept encrypted in MailDoctor's vault, never shown again.", ImGuiInputTextFlags_Password,
               d.editing ? "empty: keep the saved one" : "");
  }

  // Open from the start: the filled-in servers are there to be confirmed, and Tab (which moves
  // between text fields only) reaches every field; one comes to Edit to fix a server or the CA file.
  const ImGuiTreeNodeFlags open = ImGuiTreeNodeFlags_DefaultOpen;
  if (d.editing) ImGui::SetNextItemOpen(true, ImGuiCond_Appearing);
  if (ImGui::CollapsingHeader(d.provider == Provider::custom ? "Servers" : "Servers (filled in for you)", open)) {
    text_field(state, problems, "IMAP", &d.imap, DraftField::imap, "host:port of the IMAP server; empty: not used.", 0,
               "imap.example.com:993", [&] { security_combo("##imap_security", d.imap_security); });
    text_field(state, problems, "POP3", &d.pop3, DraftField::pop3, "host:port of the POP3 server; empty: not used.", 0,
               "pop.example.com:995", [&] { security_combo("##pop3_security", d.pop3_security); });
    text_field(state, problems, "SMTP", &d.smtp, DraftField::smtp, "host:port of the SMTP server; empty: not used.", 0,
               "smtp.example.com:587", [&] { security_combo("##smtp_security", d.smtp_security); });
  }
  if (d.editing) ImGui::SetNextItemOpen(true, ImGuiCond_Appearing);
  if (ImGui::CollapsingHeader("Advanced", open)) {
    text_field(state, problems, "Timeout (s)", &d.timeout, DraftField::timeout,
               "How long one network step may take before it counts as failed.");
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 22);
    ImGui::InputTextWithHint("Extra CA file", "/path/to/ca.pem", &d.ca_file);
    item_tooltip("A PEM file of a private certificate authority the servers' certificates come from.");
  }
}

namespace {

// Called after the button of the step to do next: whether it is on screen, and scrolled to when asked.
void next_step_button(SetupPanelState& state, PanelOutput& out) {
  if (state.scroll_to_next) {
    ImGui::SetScrollHereY(0.75f);
    state.scroll_to_next = false;
    out.redraw_within(0);  // the scroll happens when the form begins its next frame
  }
  state.next_button_visible = ImGui::IsItemVisible();
}

void draw_authenticate(SetupPanelState& state, const WorkspaceView& view, PanelOutput& out) {
  section("3. Authenticate");
  const SetupView& setup = view.setup;
  // Pressing it with something missing marks every problem in red rather than doing nothing.
  const bool busy = setup.sign_in.state == ConsentState::waiting || setup.save != SetupSave::idle;
  ImGui::BeginDisabled(busy);
  if (ImGui::Button("Authenticate")) authenticate(state, view, false, out);
  ImGui::EndDisabled();
  if (setup_step(state, setup) == SetupStep::authenticate) next_step_button(state, out);
  item_tooltip(busy ? "A sign-in is running: finish it in the browser or Cancel."
                    : "Opens the provider's sign-in page in the browser; then the identity and the mail permission "
                      "are checked.");
  if (offers_device_code(state.draft.provider)) {
    ImGui::SameLine();
    ImGui::BeginDisabled(busy);
    if (ImGui::Button("No browser on this machine? Use a code")) authenticate(state, view, true, out);
    ImGui::EndDisabled();
    item_tooltip("Shows a code to enter at the provider's address on any phone or computer.");
  } else {
    hint_text(
        "No browser here? Google offers no device code for mail: copy the sign-in address into a browser on "
        "this computer.");
  }
  const bool stale = setup.sign_in.state == ConsentState::succeeded && !signed_in_for_draft(state, setup);
  if (stale) {
    status_icon(Health::warning);
    ImGui::SameLine();
    ImGui::TextWrapped("The address or the OAuth client changed after the sign-in: Authenticate again.");
  } else {
    draw_sign_in_progress(setup.sign_in, view.now, "the tokens are saved with the account.", out);
  }
}

void draw_save(SetupPanelState& state, const WorkspaceView& view, PanelOutput& out) {
  section(state.draft.auth == AuthMethod::oauth2 ? "4. Save" : "3. Save");
  const SetupView& setup = view.setup;
  if (setup.save == SetupSave::saved) {
    status_icon(Health::ok);
    ImGui::SameLine();
    ImGui::TextWrapped("Saved '%s'. Its checks are running: see the Diagnostics tab.", setup.saved_account.c_str());
    if (ImGui::Button("Set up another account")) restart_setup(state, out);
    return;
  }
  const bool needs_sign_in = state.draft.auth == AuthMethod::oauth2 && !signed_in_for_draft(state, setup);
  const bool busy = setup.sign_in.state == ConsentState::waiting || setup.save == SetupSave::saving;
  ImGui::BeginDisabled(busy || needs_sign_in);
  if (ImGui::Button("Save")) save_account(state, view, out);
  ImGui::EndDisabled();
  if (!needs_sign_in) next_step_button(state, out);
  item_tooltip(needs_sign_in ? "Authenticate first: the account is saved signed in."
                             : "Saves the account (secrets encrypted) and runs its checks.");
  ImGui::SameLine();
  if (ImGui::Button("Start over")) restart_setup(state, out);
  item_tooltip("Forgets what was typed here and the sign-in.");
  if (setup.save == SetupSave::saving) {
    ImGui::SameLine();
    spinner();
    ImGui::SameLine();
    ImGui::TextUnformatted("Saving...");
    out.redraw_within(kSpinnerFrameS);
  }
  if (setup.save == SetupSave::failed && setup.save_failure) {
    failure_block(*setup.save_failure, "Not saved");
    if (state.scroll_to_failure) {
      ImGui::SetScrollHereY(1.0f);
      state.scroll_to_failure = false;
      out.redraw_within(0);
    }
  }
  if (state.show_all_problems && !accounts::check_draft(state.draft, account_names(view)).empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, colour::failure);
    ImGui::TextWrapped("Some details are missing or wrong: they are marked in red above.");
    ImGui::PopStyleColor();
  }
}

}  // namespace

std::vector<std::string> account_names(const WorkspaceView& view) {
  std::vector<std::string> names;
  for (const AccountSummary& a : view.accounts) names.push_back(a.name);
  return names;
}

bool signed_in_for_draft(const SetupPanelState& state, const SetupView& setup) {
  return setup.sign_in.state == ConsentState::succeeded && !setup.signed_in_key.empty() &&
         setup.signed_in_key == accounts::sign_in_key(state.draft);
}

SetupStep setup_step(const SetupPanelState& state, const SetupView& setup) {
  if (!state.provider_chosen) return SetupStep::provider;
  if (setup.save == SetupSave::saved) return SetupStep::done;
  // Names taken are not known here; the name's own rules are enough to place the step.
  if (!accounts::check_draft(state.draft, {}).empty()) return SetupStep::details;
  if (state.draft.auth == AuthMethod::oauth2 && !signed_in_for_draft(state, setup)) return SetupStep::authenticate;
  return SetupStep::save;
}

bool can_authenticate(const SetupPanelState& state, const WorkspaceView& view) {
  return state.provider_chosen && state.draft.auth == AuthMethod::oauth2 && problems_of(state, view).empty() &&
         view.setup.sign_in.state != ConsentState::waiting && view.setup.save != SetupSave::saving &&
         view.setup.save != SetupSave::saved;
}

bool can_save(const SetupPanelState& state, const WorkspaceView& view) {
  if (!state.provider_chosen || !problems_of(state, view).empty()) return false;
  if (view.setup.save == SetupSave::saving || view.setup.save == SetupSave::saved) return false;
  if (view.setup.sign_in.state == ConsentState::waiting) return false;
  return state.draft.auth == AuthMethod::password || signed_in_for_draft(state, view.setup);
}

void choose_provider(SetupPanelState& state, Provider provider, PanelOutput& out) {
  accounts::AccountDraft fresh = accounts::new_draft(provider);
  fresh.email = state.draft.email;
  fresh.name = state.draft.name;
  state.draft = std::move(fresh);
  state.provider_chosen = true;
  state.touched.clear();
  state.show_all_problems = false;
  out.send(cmd::SetupClear{});
}

void restart_setup(SetupPanelState& state, PanelOutput& out) {
  state = SetupPanelState{};
  out.send(cmd::SetupClear{});
}

bool authenticate(SetupPanelState& state, const WorkspaceView& view, bool device, PanelOutput& out) {
  state.show_all_problems = true;
  if (!can_authenticate(state, view)) return false;
  cmd::SetupSignIn c;
  c.device = device;
  c.draft = std::make_shared<const accounts::AccountDraft>(state.draft);
  out.send(std::move(c));
  return true;
}

bool save_account(SetupPanelState& state, const WorkspaceView& view, PanelOutput& out) {
  state.show_all_problems = true;
  if (!can_save(state, view)) return false;
  cmd::SetupSave c;
  c.draft = std::make_shared<const accounts::AccountDraft>(state.draft);
  out.send(std::move(c));
  return true;
}

namespace {

void draw_setup_form(const WorkspaceView& view, SetupPanelState& state, PanelOutput& out);

const char* next_step_name(const SetupPanelState& state, SetupStep step) {
  if (step == SetupStep::authenticate) return "3. Authenticate";
  return state.draft.auth == AuthMethod::oauth2 ? "4. Save" : "3. Save";
}

}  // namespace

void draw_setup_panel(const WorkspaceView& view, SetupPanelState& state, PanelOutput& out) {
  const SetupStep step = setup_step(state, view.setup);
  // The sign-in came back from the browser, or the account was saved: show what is next.
  if (step != state.shown_step && (step == SetupStep::save || step == SetupStep::done) &&
      state.shown_step == SetupStep::authenticate)
    state.scroll_to_next = true;
  state.shown_step = step;
  if (view.setup.save != state.shown_save && view.setup.save == SetupSave::failed) state.scroll_to_failure = true;
  state.shown_save = view.setup.save;
  const bool next_below = (step == SetupStep::authenticate || step == SetupStep::save) && !state.next_button_visible;
  const float footer_h = next_below ? ImGui::GetFrameHeightWithSpacing() + ImGui::GetStyle().ItemSpacing.y : 0.0f;
  ImGui::BeginChild("setup_form", ImVec2(0, -footer_h));
  const bool was_visible = state.next_button_visible;
  state.next_button_visible = false;  // set again where the button is drawn
  draw_setup_form(view, state, out);
  ImGui::EndChild();
  // The footer is decided before the form is drawn: when the button came into view (or left it),
  // one more frame shows the footer as it now should be.
  if (state.next_button_visible != was_visible) out.redraw_within(0);
  if (next_below) {
    // Never below the fold unannounced: the next step's button is named, one click away.
    ImGui::Separator();
    ImGui::AlignTextToFramePadding();
    ImGui::TextDisabled("The next step is further down:");
    ImGui::SameLine();
    if (ImGui::Button((std::string("Go to ") + next_step_name(state, step)).c_str())) state.scroll_to_next = true;
  }
}

namespace {

void draw_setup_form(const WorkspaceView& view, SetupPanelState& state, PanelOutput& out) {
  heading("Set up an account");
  if (!view.store_ready && view.store_error) {
    failure_block(*view.store_error, "The data folder cannot be used");
    return;
  }
  step_header(setup_step(state, view.setup), !state.provider_chosen || state.draft.auth == AuthMethod::oauth2);
  draw_provider_choice(state, out);
  if (!state.provider_chosen) {
    hint_text("Choose the provider: its servers and sign-in addresses are filled in, and you confirm them.");
    return;
  }
  const auto problems = problems_of(state, view);
  ImGui::BeginDisabled(view.setup.save == SetupSave::saved || view.setup.sign_in.state == ConsentState::waiting);
  section("2. Account details");
  draw_account_fields(state, view, problems);
  ImGui::EndDisabled();
  if (state.draft.auth == AuthMethod::oauth2) draw_authenticate(state, view, out);
  draw_save(state, view, out);
  // The secrets typed here are not needed once the account is saved.
  if (view.setup.save == SetupSave::saved) {
    state.draft.password.clear();
    state.draft.client_secret.clear();
  }
}

}  // namespace

}  // namespace md::panels
