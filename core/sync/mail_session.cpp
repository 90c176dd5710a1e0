#include "sync/mail_session.h"

#include <functional>

#include "diagnostics/ladder.h"
#include "diagnostics/matchers.h"
#include "util/text.h"

namespace md::sync {
namespace {

using mail::sasl::Mechanism;

Result<mail::Connection> connect(const accounts::Account& a, const accounts::ServerEndpoint& e,
                                 const SessionOptions& options) {
  const auto timeout = std::chrono::seconds(a.timeout_s);
  auto addresses = mail::resolve(e.host, static_cast<uint16_t>(e.port), timeout);
  if (!addresses) return addresses.failure();
  mail::Connection c;
  c.set_timeout(timeout);
  c.set_transcript(options.transcript);
  c.note("connecting to " + e.host + ":" + std::to_string(e.port));
  if (auto r = c.connect(addresses.value()); !r) return r.failure();
  if (e.security == accounts::Security::tls) {
    if (auto r = c.start_tls(diagnostics::detail::tls_options(a, e)); !r) return r.failure();
  }
  return c;
}

// XOAUTH2 for OAuth (the mechanism Gmail and Microsoft document); PLAIN, else LOGIN, for passwords.
Result<Mechanism> mechanism(const accounts::Account& a, const std::function<bool(Mechanism)>& offered,
                            bool login_possible, std::string_view offered_text) {
  if (a.auth == accounts::AuthMethod::oauth2) {
    if (offered(Mechanism::xoauth2)) return Mechanism::xoauth2;
  } else {
    if (offered(Mechanism::plain)) return Mechanism::plain;
    if (offered(Mechanism::login) || login_possible) return Mechanism::login;
  }
  return fail("auth.mechanism_unavailable",
              "the server offers " + std::string(offered_text) + "; the account signs in with " +
                  (a.auth == accounts::AuthMethod::oauth2 ? "XOAUTH2" : "PLAIN or LOGIN"));
}

Failure refusal(const accounts::Account& a, diagnostics::MailProtocol protocol, const std::string& server_words,
                const std::optional<mail::sasl::Challenge>& challenge) {
  const bool oauth = a.auth == accounts::AuthMethod::oauth2;
  diagnostics::ServerEvidence ev =
      diagnostics::server_evidence(a, protocol, diagnostics::MailStage::auth, server_words);
  if (challenge) ev.challenge = challenge->raw;
  std::string code = diagnostics::match_failure(ev).value_or(oauth ? "auth.token_rejected" : "auth.bad_credentials");
  return fail(code, "the server refused the sign-in as " + a.login_name() + ": " + mail::printable(server_words, 500) +
                        (challenge ? " (error challenge " + challenge->raw + ")" : ""));
}

}  // namespace

Result<mail::ImapClient> open_imap(const accounts::Account& a, const std::string& secret,
                                   const SessionOptions& options) {
  const accounts::ServerEndpoint& e = a.imap;
  auto conn = connect(a, e, options);
  if (!conn) return conn.failure();
  mail::ImapClient client(std::move(conn).value());
  auto greeting = client.read_greeting();
  if (!greeting) return greeting.failure();
  if (greeting.value().refused())
    return fail("protocol.bad_response",
                "the server refused the connection: " + mail::printable(greeting.value().response.line));
  auto caps = client.capability();
  if (!caps) return caps.failure();
  if (e.security == accounts::Security::starttls) {
    if (!caps.value().starttls())
      return fail("tls.starttls_unavailable",
                  "the account requires STARTTLS but " + e.host + ":" + std::to_string(e.port) + " does not offer it");
    if (auto t = client.starttls(diagnostics::detail::tls_options(a, e)); !t) return t.failure();
    caps = client.capability();
    if (!caps) return caps.failure();
  }
  if (greeting.value().preauth()) return client;
  const mail::imap::Capabilities& c = caps.value();
  auto mech = mechanism(
      a, [&](Mechanism m) { return c.supports(m); }, !c.login_disabled(), "AUTH=" + util::join(c.auth));
  if (!mech) return mech.failure();
  auto auth = client.authenticate(
      mech.value(), mail::sasl::Credentials{a.login_name(), secret, e.host, static_cast<uint16_t>(e.port)});
  if (!auth) return auth.failure();
  if (!auth.value().ok) {
    std::string words;
    for (const std::string& l : auth.value().untagged) words += l + "\n";
    words += auth.value().response.line;
    return refusal(a, diagnostics::MailProtocol::imap, words, auth.value().challenge);
  }
  return client;
}

Result<mail::Pop3Client> open_pop3(const accounts::Account& a, const std::string& secret,
                                   const SessionOptions& options) {
  const accounts::ServerEndpoint& e = a.pop3;
  auto conn = connect(a, e, options);
  if (!conn) return conn.failure();
  mail::Pop3Client client(std::move(conn).value());
  auto greeting = client.read_greeting();
  if (!greeting) return greeting.failure();
  if (!greeting.value().ok)
    return fail("protocol.bad_response",
                "the server refused the connection: " + mail::printable(greeting.value().line));
  auto caps = client.capa();
  if (!caps) return caps.failure();
  if (e.security == accounts::Security::starttls) {
    if (!caps.value().stls())
      return fail("tls.starttls_unavailable", "the account requires STARTTLS (STLS) but " + e.host + ":" +
                                                  std::to_string(e.port) + " does not offer it");
    if (auto t = client.stls(diagnostics::detail::tls_options(a, e)); !t) return t.failure();
    caps = client.capa();
    if (!caps) return caps.failure();
  }
  const mail::Pop3Capabilities& c = caps.value();
  auto mech = mechanism(
      a, [&](Mechanism m) { return c.supports(m); }, false,
      "SASL " + util::join(c.sasl) + (c.user() ? " and USER" : ""));
  Result<mail::Pop3AuthResult> auth = fail("auth.mechanism_unavailable", "");
  if (!mech && a.auth == accounts::AuthMethod::password && (c.user() || c.lines.empty())) {
    auth = client.user_pass(a.login_name(), secret);  // a server without SASL: USER/PASS
  } else if (!mech) {
    return mech.failure();
  } else {
    auth = client.authenticate(mech.value(),
                               mail::sasl::Credentials{a.login_name(), secret, e.host, static_cast<uint16_t>(e.port)});
  }
  if (!auth) return auth.failure();
  if (!auth.value().ok)
    return refusal(a, diagnostics::MailProtocol::pop3, auth.value().reply.line, auth.value().challenge);
  return client;
}

}  // namespace md::sync
