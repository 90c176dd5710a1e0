// POP3 and SMTP reply grammar on canned server texts (PROVIDER-FACTS.md): response codes,
// multi-line replies with enhanced status codes, EHLO extensions, dot-stuffing.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "mail/pop3_client.h"
#include "mail/smtp_client.h"

using namespace md::mail;

TEST_CASE("mail: POP3 replies with response codes") {
  auto r = parse_pop3_reply("-ERR [AUTH] Authentication failed.");
  REQUIRE(r);
  CHECK_FALSE(r->ok);
  CHECK(r->code == "AUTH");
  CHECK(r->text == "Authentication failed.");
  auto ms = parse_pop3_reply("-ERR Authentication failure: unknown user name or bad password.");
  REQUIRE(ms);
  CHECK(ms->code.empty());
  CHECK(parse_pop3_reply("+OK")->ok);
  CHECK_FALSE(parse_pop3_reply("+OKAY"));
  CHECK_FALSE(parse_pop3_reply("* OK IMAP"));
  auto caps = parse_pop3_capabilities({"TOP", "UIDL", "SASL PLAIN LOGIN XOAUTH2 OAUTHBEARER", "STLS", "USER"});
  CHECK(caps.stls());
  CHECK(caps.user());
  CHECK(caps.supports(sasl::Mechanism::oauthbearer));
  CHECK(caps.supports(sasl::Mechanism::login));
}

TEST_CASE("mail: SMTP replies: Gmail multi-line 535-5.7.8, Microsoft 5.7.139 and 5.7.3") {
  auto gmail = parse_smtp_reply(
      "535-5.7.8 Username and Password not accepted. For more information, go to\r\n"
      "535 5.7.8  https://support.google.com/mail/?p=BadCredentials a1-20020a.123 - gsmtp\r\n");
  REQUIRE(gmail);
  CHECK(gmail.value().code == 535);
  CHECK(gmail.value().enhanced == "5.7.8");
  CHECK(gmail.value().lines.size() == 2);
  CHECK(gmail.value().text().starts_with("Username and Password not accepted. For more information, go to https://"));
  CHECK_FALSE(gmail.value().positive());

  auto tenant = parse_smtp_reply(
      "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit "
      "https://aka.ms/smtp_auth_disabled for more information.\r\n");
  REQUIRE(tenant);
  CHECK(tenant.value().enhanced == "5.7.139");
  CHECK(tenant.value().text().starts_with("Authentication unsuccessful, SmtpClientAuthentication is disabled"));

  auto basic = parse_smtp_reply("535 5.7.3 Authentication unsuccessful\r\n");
  REQUIRE(basic);
  CHECK(basic.value().enhanced == "5.7.3");
  CHECK(parse_smtp_reply("250 OK\r\n").value().enhanced.empty());
  CHECK(parse_smtp_reply("220\r\n").value().code == 220);
  CHECK(parse_smtp_reply("250 2.0.0 Ok: queued\n").value().positive());
}

TEST_CASE("mail: malformed SMTP replies are protocol errors") {
  const char* bad[] = {"25 short\r\n",       "abc def\r\n",  "250x\r\n",
                       "250-a\r\n251 b\r\n", "999 nope\r\n", "250 a\r\ntrailing\r\n"};
  for (const char* b : bad) {
    auto r = parse_smtp_reply(b);
    CHECK_MESSAGE(!r, b);
    if (!r) CHECK(r.failure().code == "protocol.bad_response");
  }
  CHECK(parse_smtp_reply("250-unfinished\r\n").failure().code == "protocol.connection_lost");
}

TEST_CASE("mail: SMTP EHLO extensions and dot-stuffing") {
  auto ehlo = parse_smtp_reply(
      "250-smtp.office365.com Hello [192.0.2.1]\r\n250-SIZE 157286400\r\n250-PIPELINING\r\n"
      "250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n250-AUTH LOGIN XOAUTH2\r\n250-AUTH=LOGIN\r\n250 8BITMIME\r\n");
  REQUIRE(ehlo);
  auto ext = parse_ehlo(ehlo.value());
  CHECK(ext.greeting == "smtp.office365.com Hello [192.0.2.1]");
  CHECK(ext.starttls());
  CHECK(ext.size == 157286400u);
  CHECK(ext.auth == std::vector<std::string>{"LOGIN", "XOAUTH2"});
  CHECK(ext.supports(sasl::Mechanism::xoauth2));
  CHECK_FALSE(ext.supports(sasl::Mechanism::plain));
  CHECK(dot_stuff("a\n.b\r\n..c\r\nd") == "a\r\n..b\r\n...c\r\nd\r\n.\r\n");
  CHECK(dot_stuff("") == ".\r\n");
  CHECK(dot_stuff(".") == "..\r\n.\r\n");
}
