// The setup flow's form (core/accounts/draft.h): presets filled in, problems as typed, the account
// it makes.
#include <doctest/doctest.h>

#include "accounts/draft.h"

using namespace md::accounts;

namespace {

AccountDraft gmail_draft() {
  AccountDraft d = new_draft(Provider::gmail);
  d.name = "front-desk";
  d.email = "frontdesk@example.com";
  d.client_id = "123.apps.googleusercontent.com";
  return d;
}

}  // namespace

TEST_CASE("draft: a provider's draft is pre-filled with its servers and OAuth") {
  AccountDraft g = new_draft(Provider::gmail);
  CHECK(g.auth == AuthMethod::oauth2);
  CHECK(g.imap == "imap.gmail.com:993");
  CHECK(g.smtp == "smtp.gmail.com:465");
  AccountDraft m = new_draft(Provider::microsoft);
  CHECK(m.smtp == "smtp.office365.com:587");
  CHECK(m.smtp_security == Security::starttls);
  AccountDraft c = new_draft(Provider::custom);
  CHECK(c.auth == AuthMethod::password);
  CHECK(c.imap.empty());
}

TEST_CASE("draft: an empty form names what is missing, field by field") {
  AccountDraft d = new_draft(Provider::gmail);
  auto problems = check_draft(d, {});
  CHECK(problem_of(problems, DraftField::name) != nullptr);
  CHECK(problem_of(problems, DraftField::email) != nullptr);
  REQUIRE(problem_of(problems, DraftField::client_id) != nullptr);
  CHECK(problem_of(problems, DraftField::client_id)->message.find("Register an OAuth client") != std::string::npos);
  CHECK(problem_of(problems, DraftField::imap) == nullptr);  // pre-filled
  CHECK(check_draft(gmail_draft(), {}).empty());
}

TEST_CASE("draft: problems as typed") {
  AccountDraft d = gmail_draft();
  d.email = "frontdesk";
  CHECK(problem_of(check_draft(d, {}), DraftField::email) != nullptr);
  d = gmail_draft();
  CHECK(problem_of(check_draft(d, {"front-desk"}), DraftField::name)->message.find("exists already") !=
        std::string::npos);
  d.name = "-x";
  CHECK(problem_of(check_draft(d, {}), DraftField::name) != nullptr);
  d = gmail_draft();
  d.imap = "imap.gmail.com";
  CHECK(problem_of(check_draft(d, {}), DraftField::imap)->message.find("host:port") != std::string::npos);
  d.imap = d.pop3 = d.smtp = "";
  CHECK(problem_of(check_draft(d, {}), DraftField::imap)->message.find("at least one server") != std::string::npos);
  d = gmail_draft();
  d.timeout = "20s";
  CHECK(problem_of(check_draft(d, {}), DraftField::timeout) != nullptr);
  d.timeout = "601";
  CHECK(problem_of(check_draft(d, {}), DraftField::timeout) != nullptr);
  d = gmail_draft();
  d.auth = AuthMethod::password;
  CHECK(problem_of(check_draft(d, {}), DraftField::password)->message.find("app password") != std::string::npos);
  CHECK(problem_of(check_draft(d, {}), DraftField::client_id) == nullptr);  // no OAuth, no client
}

TEST_CASE("draft: another provider's OAuth needs an https issuer and scopes") {
  AccountDraft d = new_draft(Provider::custom);
  d.name = "lab";
  d.email = "alice@example.test";
  d.imap = "localhost:17101";
  d.auth = AuthMethod::oauth2;
  d.client_id = "maildoctor";
  d.issuer = "http://login.example.com";
  auto problems = check_draft(d, {});
  CHECK(problem_of(problems, DraftField::issuer) != nullptr);
  CHECK(problem_of(problems, DraftField::scopes) != nullptr);
  d.issuer = "http://127.0.0.1:17104";  // plain http only on this computer (a test server)
  CHECK(problem_of(check_draft(d, {}), DraftField::issuer) == nullptr);
  d.issuer = "https://localhost:17104";
  d.scopes = "imap openid, email";
  REQUIRE(check_draft(d, {}).empty());
  auto a = build_account(d);
  REQUIRE(a);
  CHECK(needs_discovery(a.value()));
  CHECK(a.value().oauth.scopes == std::vector<std::string>{"imap", "openid", "email"});
  CHECK(a.value().oauth.mail_scope == "imap");
  CHECK(a.value().imap.security == Security::tls);
}

TEST_CASE("draft: the account it makes is the preset with what was typed") {
  AccountDraft d = gmail_draft();
  d.name = "  front-desk ";
  d.pop3 = "";
  d.timeout = "7";
  auto a = build_account(d);
  REQUIRE(a);
  CHECK(a.value().name == "front-desk");
  CHECK(a.value().oauth.client_id == "123.apps.googleusercontent.com");
  CHECK(a.value().oauth.mail_scope == "https://mail.google.com/");
  CHECK_FALSE(a.value().pop3.enabled);
  CHECK(a.value().imap.host == "imap.gmail.com");
  CHECK(a.value().timeout_s == 7);
  CHECK_FALSE(needs_discovery(a.value()));
  d.email = "nope";
  auto bad = build_account(d);
  REQUIRE_FALSE(bad);
  CHECK(bad.failure().code == "accounts.invalid");
  // A password account keeps no OAuth settings.
  d = gmail_draft();
  d.auth = AuthMethod::password;
  d.password = "app-pw";
  auto pw = build_account(d);
  REQUIRE(pw);
  CHECK(pw.value().oauth.client_id.empty());
  CHECK(pw.value().oauth.scopes.empty());
}

TEST_CASE("draft: a suggested name comes from the address and is not taken") {
  CHECK(suggest_name("alice@example.com", {}) == "alice");
  CHECK(suggest_name("alice@example.com", {"alice"}) == "alice-2");
  CHECK(suggest_name("alice@example.com", {"alice", "alice-2"}) == "alice-3");
  CHECK(suggest_name("-.x+y@example.com", {}) == "xy");
  CHECK(suggest_name("@example.com", {}) == "account");
  CHECK(valid_account_name(suggest_name(std::string(100, 'a') + "@x.org", {})));
}
