#include <doctest/doctest.h>

#include "diagnostics/catalogue.h"
#include "diagnostics/matchers.h"

using namespace md::diagnostics;

namespace {

std::string code_of(MailProtocol p, SignIn s, std::string response, std::string challenge = {}) {
  return match_failure({p, s, std::move(response), std::move(challenge)}).value_or("(none)");
}

}  // namespace

TEST_CASE("matchers: the providers' real refusals map to their codes") {
  using enum MailProtocol;
  CHECK(code_of(imap, SignIn::oauth2, "A2 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)") ==
        "auth.token_rejected");
  CHECK(code_of(imap, SignIn::password, "A2 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)") ==
        "auth.bad_credentials");
  CHECK(code_of(imap, SignIn::password,
                "A1 NO [ALERT] Application-specific password required: "
                "https://support.google.com/accounts/answer/185833 (Failure)") == "auth.app_password_required");
  CHECK(code_of(imap, SignIn::password,
                "A1 NO [ALERT] Please log in via your web browser: "
                "https://support.google.com/mail/accounts/answer/78754 (Failure)") == "auth.web_login_required");
  CHECK(code_of(imap, SignIn::oauth2, "A3 BAD User is authenticated but not connected.") == "auth.not_connected");
  CHECK(code_of(smtp, SignIn::oauth2,
                "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.") ==
        "auth.smtp_auth_disabled");
  CHECK(code_of(smtp, SignIn::password,
                "535-5.7.8 Username and Password not accepted. For more information, go to\n535 5.7.8  "
                "https://support.google.com/mail/?p=BadCredentials") == "auth.bad_credentials");
  CHECK(code_of(smtp, SignIn::oauth2, "535 5.7.3 Authentication unsuccessful") == "auth.token_rejected");
  CHECK(code_of(imap, SignIn::oauth2, "A1 NO [THROTTLED] Too many requests") == "imap.throttled");
  CHECK(code_of(imap, SignIn::oauth2, "A4 NO [NONEXISTENT] Mailbox doesn't exist: Archive") == "imap.mailbox_missing");
  CHECK(code_of(pop3, SignIn::oauth2, "-ERR [AUTH] Authentication failed.") == "auth.token_rejected");
  CHECK(code_of(pop3, SignIn::password, "-ERR Authentication failure: unknown user name or bad password.") ==
        "auth.bad_credentials");
  CHECK(code_of(imap, SignIn::oauth2, "A1 NO Your account is not enabled for IMAP use.") == "auth.imap_disabled");
}

TEST_CASE("matchers: a bearer challenge means a rejected token, unknown words match nothing") {
  CHECK(code_of(MailProtocol::imap, SignIn::oauth2, "A1 NO something new",
                R"({"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"})") == "auth.token_rejected");
  CHECK(code_of(MailProtocol::imap, SignIn::oauth2, "A1 NO something new") == "(none)");
  CHECK(code_of(MailProtocol::imap, SignIn::oauth2, "") == "(none)");
}

TEST_CASE("matchers: every code a matcher gives has a catalogue row") {
  for (const Matcher& m : matchers()) CHECK_MESSAGE(find_entry(m.code) != nullptr, m.code);
}
