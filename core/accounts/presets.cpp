#include "accounts/presets.h"

#include <string>

namespace md::accounts {
namespace {

constexpr std::string_view kGmailScope = "https://mail.google.com/";
constexpr std::string_view kMsImapScope = "https://outlook.office.com/IMAP.AccessAsUser.All";
constexpr std::string_view kMsPopScope = "https://outlook.office.com/POP.AccessAsUser.All";
constexpr std::string_view kMsSmtpScope = "https://outlook.office.com/SMTP.Send";

constexpr ProviderHost kGmailHosts[] = {
    {"sign-in", "accounts.google.com", 443}, {"token", "oauth2.googleapis.com", 443}, {"imap", "imap.gmail.com", 993},
    {"pop3", "pop.gmail.com", 995},          {"smtp", "smtp.gmail.com", 465},
};
constexpr ProviderHost kMicrosoftHosts[] = {
    {"sign-in", "login.microsoftonline.com", 443}, {"token", "login.microsoftonline.com", 443},
    {"imap", "outlook.office365.com", 993},        {"pop3", "outlook.office365.com", 995},
    {"smtp", "smtp.office365.com", 587, true},
};

void gmail(Account& a) {
  a.imap = {true, "imap.gmail.com", 993, Security::tls};
  a.pop3 = {true, "pop.gmail.com", 995, Security::tls};
  a.smtp = {true, "smtp.gmail.com", 465, Security::tls};
  OAuthSettings& o = a.oauth;
  o.issuer = "https://accounts.google.com";
  o.authorize_url = "https://accounts.google.com/o/oauth2/auth";
  o.token_url = "https://oauth2.googleapis.com/token";
  o.revoke_url = "https://oauth2.googleapis.com/revoke";
  o.userinfo_url = "https://openidconnect.googleapis.com/v1/userinfo";
  // Google's device flow refuses the Gmail scope, so there is no device endpoint here.
  o.device_url.clear();
  // openid email: the id_token names the signed-in account, for the identity check.
  o.scopes = {std::string(kGmailScope), "openid", "email"};
  o.mail_scope = kGmailScope;
  // access_type=offline gives a refresh token; prompt=consent makes Google give a new one every
  // time (it does not on a repeated consent otherwise, which would leave the account without one).
  o.extra_authorize_params = {{"access_type", "offline"}, {"prompt", "consent"}};
}

void microsoft(Account& a, std::string_view tenant) {
  a.imap = {true, "outlook.office365.com", 993, Security::tls};
  a.pop3 = {true, "outlook.office365.com", 995, Security::tls};
  a.smtp = {true, "smtp.office365.com", 587, Security::starttls};  // nothing listens on 465
  OAuthSettings& o = a.oauth;
  o.tenant = tenant.empty() ? "common" : std::string(tenant);
  const std::string base = "https://login.microsoftonline.com/" + o.tenant + "/oauth2/v2.0/";
  // The issuer of a multi-tenant sign-in is the user's own tenant, unknown beforehand: no check.
  o.issuer.clear();
  o.authorize_url = base + "authorize";
  o.token_url = base + "token";
  o.device_url = base + "devicecode";
  // Microsoft has no RFC 7009 revocation endpoint; removing an account forgets the tokens.
  o.revoke_url.clear();
  // No userinfo: Graph's endpoint refuses a token made for outlook.office.com. `profile` puts
  // preferred_username in the id_token instead (email alone is only there when the user has one set).
  o.userinfo_url.clear();
  o.scopes = {std::string(kMsImapScope),
              std::string(kMsPopScope),
              std::string(kMsSmtpScope),
              "offline_access",
              "openid",
              "email",
              "profile"};
  o.mail_scope = kMsImapScope;
  o.extra_authorize_params.clear();
}

}  // namespace

void apply_preset(Account& a, std::string_view tenant) {
  switch (a.provider) {
    case Provider::gmail: gmail(a); break;
    case Provider::microsoft: microsoft(a, tenant); break;
    case Provider::custom: break;
  }
}

std::span<const ProviderHost> provider_hosts(Provider p) {
  switch (p) {
    case Provider::gmail: return kGmailHosts;
    case Provider::microsoft: return kMicrosoftHosts;
    case Provider::custom: break;
  }
  return {};
}

}  // namespace md::accounts
