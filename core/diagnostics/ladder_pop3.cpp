// The POP3 rungs: greeting, CAPA (STLS, SASL mechanisms, USER), STLS and CAPA again, the sign-in
// (SASL with the account's mechanism, USER/PASS for a password when SASL PLAIN is not offered),
// and STAT as the real command after it.
#include "diagnostics/ladder.h"
#include "mail/pop3_client.h"
#include "util/text.h"

namespace md::diagnostics::detail {
namespace {

void capa_step(StepResult& s, mail::Pop3Client& client, std::optional<mail::Pop3Capabilities>& caps) {
  auto c = client.capa();
  if (!c) return set_failure(s, c.failure());
  caps = c.value();
  for (const std::string& l : caps->lines) s.evidence.push_back("CAPA " + l);
  s.detail = std::string(caps->stls() ? "STLS offered" : "no STLS") +
             "; SASL mechanisms: " + (caps->sasl.empty() ? std::string("none") : util::join(caps->sasl, ", ")) +
             (caps->user() ? "; USER/PASS" : "");
}

}  // namespace

void run_pop3(StepRunner& steps, const MailRun& run) {
  const accounts::Account& a = run.account;
  const accounts::ServerEndpoint& e = a.pop3;
  std::optional<mail::Pop3Client> client;
  if (auto conn = open_steps(steps, run, accounts::Protocol::pop3)) client.emplace(std::move(*conn));
  std::optional<mail::Pop3Capabilities> caps;

  steps.run("pop3.greeting", "POP3 greeting from " + endpoint_text(e), [&](StepResult& s) {
    auto g = client->read_greeting();
    if (!g) return set_failure(s, g.failure());
    s.evidence.push_back("server: " + mail::printable(g.value().line, 500));
    if (!g.value().ok)
      return set_failure(s, classify_refusal(run, MailProtocol::pop3, MailStage::greeting, g.value().line,
                                             fail("protocol.bad_response", "the server refused the connection: " +
                                                                               mail::printable(g.value().line))));
    s.detail = "POP3 server ready";
  });
  steps.run("pop3.capabilities", "POP3 capabilities (CAPA)", [&](StepResult& s) { capa_step(s, *client, caps); });
  if (e.security == accounts::Security::starttls) {
    steps.run("pop3.tls", tls_title(e, true), [&](StepResult& s) {
      if (!caps->stls())
        return set_failure(s, fail("tls.starttls_unavailable", "the account requires STARTTLS but " + endpoint_text(e) +
                                                                   " does not offer STLS in CAPA"));
      auto r = client->stls(tls_options(a, e));
      record_tls(s, r, client->connection(), a);
    });
    steps.run("pop3.capabilities_tls", "POP3 capabilities after STLS",
              [&](StepResult& s) { capa_step(s, *client, caps); });
  }

  if (!skip_without_secret(steps, run, "pop3", true)) {
    steps.run("pop3.auth", "Sign in as " + a.login_name(), [&](StepResult& s) {
      auto mech = choose_mechanism(
          run, [&](mail::sasl::Mechanism m) { return caps->supports(m); }, caps->user() || caps->lines.empty());
      if (!mech)
        return set_failure(
            s, fail("auth.mechanism_unavailable",
                    "the server offers SASL " + (caps->sasl.empty() ? "(none)" : util::join(caps->sasl, ",")) +
                        (caps->user() ? " and USER/PASS" : "") + "; the account signs in with " +
                        (a.auth == accounts::AuthMethod::oauth2 ? "XOAUTH2" : "PLAIN or USER/PASS")));
      const bool user_pass = *mech == mail::sasl::Mechanism::login && !caps->supports(*mech);
      s.evidence.push_back("mechanism=" + std::string(user_pass ? "USER/PASS" : mail::sasl::name(*mech)));
      mail::sasl::Credentials creds{a.login_name(), *run.secret, e.host, static_cast<uint16_t>(e.port)};
      auto r = user_pass ? client->user_pass(a.login_name(), *run.secret) : client->authenticate(*mech, creds);
      if (!r) return set_failure(s, r.failure());
      if (!r.value().ok)
        return record_refusal(s, run, MailProtocol::pop3, {r.value().reply.line}, r.value().challenge_base64,
                              r.value().challenge);
      s.evidence.push_back("server: " + mail::printable(r.value().reply.line, 500));
      s.detail = "signed in with " + std::string(user_pass ? "USER/PASS" : mail::sasl::name(*mech));
    });
    steps.run("pop3.mailbox", "Mailbox status (STAT)", [&](StepResult& s) {
      auto st = client->stat();
      if (!st) return set_failure(s, st.failure());
      s.evidence.push_back("messages=" + std::to_string(st.value().messages));
      s.evidence.push_back("octets=" + std::to_string(st.value().octets));
      s.detail = std::to_string(st.value().messages) + " message(s), " + std::to_string(st.value().octets) + " bytes";
    });
  }
  // A polite QUIT only on a healthy conversation: a silent or confused server would cost a timeout.
  if (client && !steps.blocked() && client->connection().is_open()) (void)client->quit();
}

}  // namespace md::diagnostics::detail
