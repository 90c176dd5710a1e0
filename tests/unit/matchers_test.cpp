#include <doctest/doctest.h>

#include "diagnostics/catalogue.h"
#include "diagnostics/matchers.h"

using namespace md::diagnostics;

namespace {

std::string code_of(MailProtocol p, SignIn s, std::string response, std::string challenge = {},
                    MailStage stage = MailStage::auth, std::string provider = "custom") {
  ServerEvidence e;
  e.protocol = p;
  e.sign_in = s;
  e.stage = stage;
  e.provider = std::move(provider);
  e.response = std::move(response);
  e.challenge = std::move(challenge);
  return match_failure(e).value_or("(none)");
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
  for (const Matcher& m : matchers())
    if (m.code != "(credentials)") CHECK_MESSAGE(find_entry(m.code) != nullptr, m.code);
}

TEST_CASE("matchers: the structure decides: enhanced status codes, IMAP and POP3 response codes") {
  CHECK(enhanced_status_code("535 5.7.139 Authentication unsuccessful") == "5.7.139");
  CHECK(enhanced_status_code("550-5.4.5 Daily user sending limit exceeded.\r\n550 5.4.5 more") == "5.4.5");
  CHECK(enhanced_status_code("5.7.9 Please log in with your web browser") == "5.7.9");  // reply code stripped
  CHECK_FALSE(enhanced_status_code("250 OK"));
  CHECK_FALSE(enhanced_status_code("535 Authentication Failed"));
  CHECK(imap_response_code("A1 NO [UNAVAILABLE] Temporary authentication failure.") == "UNAVAILABLE");
  CHECK(imap_response_code("* NO [WEBALERT https://x] Web login\r\nA1 NO [ALERT] Please") == "WEBALERT");
  CHECK_FALSE(imap_response_code("A1 NO LOGIN failed."));
  CHECK(pop3_response_code("-ERR [SYS/TEMP] try later") == "SYS/TEMP");
  CHECK_FALSE(pop3_response_code("-ERR nope"));

  using enum MailProtocol;
  // 4.x.x is transient, whatever the words: never "check the addresses".
  CHECK(code_of(smtp, SignIn::password, "450 4.7.3 Organization queue quota exceeded.", {}, MailStage::send) ==
        "smtp.throttled");
  CHECK(code_of(smtp, SignIn::password, "421 4.7.0 Try again later, closing connection. (EHLO)", {},
                MailStage::capabilities) == "smtp.throttled");
  CHECK(code_of(smtp, SignIn::password, "454 4.7.0 Temporary authentication failure") == "auth.temporary_failure");
  // Microsoft's 5.7.139 overloads three causes; its words tell them apart.
  CHECK(code_of(smtp, SignIn::password, "535 5.7.139 Authentication unsuccessful, basic authentication is disabled.") ==
        "auth.basic_auth_disabled");
  CHECK(code_of(smtp, SignIn::password,
                "535 5.7.139 Authentication unsuccessful, the user credentials were incorrect.") ==
        "auth.bad_credentials");
  // The same [UNAVAILABLE] is the sign-in service at sign-in, the server shedding load later.
  CHECK(code_of(imap, SignIn::password, "A1 NO [UNAVAILABLE] Server error") == "auth.temporary_failure");
  CHECK(code_of(imap, SignIn::password, "A1 NO [UNAVAILABLE] Server error", {}, MailStage::mailbox) ==
        "imap.throttled");
  // A POP3 refusal is never an IMAP setting.
  CHECK(code_of(pop3, SignIn::password, "-ERR [IN-USE] mailbox already in use") == "auth.in_use");
  CHECK(code_of(pop3, SignIn::password, "-ERR [SYS/TEMP] try later") == "auth.temporary_failure");
  // Microsoft 365 takes no password over IMAP or POP3: a refused one is basic authentication off.
  CHECK(code_of(imap, SignIn::password, "A1 NO LOGIN failed.", {}, MailStage::auth, "microsoft") ==
        "auth.basic_auth_disabled");
  CHECK(code_of(imap, SignIn::password, "A1 NO LOGIN failed.") == "auth.bad_credentials");
}
