// The IMAP rungs: greeting, CAPABILITY (STARTTLS, AUTH=…, LOGINDISABLED), STARTTLS and CAPABILITY
// again, the sign-in with the account's mechanism, and EXAMINE INBOX — always a real command after
// the sign-in, because Microsoft can accept AUTHENTICATE and refuse everything after it.
#include "diagnostics/ladder.h"
#include "mail/imap_client.h"
#include "util/text.h"

namespace md::diagnostics::detail {
namespace {

void capabilities_step(StepResult& s, mail::ImapClient& client, std::optional<mail::imap::Capabilities>& caps) {
  auto c = client.capability();
  if (!c) return set_failure(s, c.failure());
  caps = c.value();
  s.evidence.push_back("CAPABILITY " + util::join(caps->atoms));
  s.detail = std::string(caps->starttls() ? "STARTTLS offered" : "no STARTTLS") +
             "; AUTH mechanisms: " + (caps->auth.empty() ? std::string("none") : util::join(caps->auth, ", ")) +
             (caps->login_disabled() ? "; LOGINDISABLED" : "");
}

}  // namespace

void run_imap(StepRunner& steps, const MailRun& run) {
  const accounts::Account& a = run.account;
  const accounts::ServerEndpoint& e = a.imap;
  std::optional<mail::ImapClient> client;
  if (auto conn = open_steps(steps, run, accounts::Protocol::imap)) client.emplace(std::move(*conn));
  std::optional<mail::imap::Capabilities> caps;

  steps.run("imap.greeting", "IMAP greeting from " + endpoint_text(e), [&](StepResult& s) {
    auto g = client->read_greeting();
    if (!g) return set_failure(s, g.failure());
    s.evidence.push_back("server: " + mail::printable(g.value().response.line, 500));
    if (g.value().refused())
      return set_failure(
          s, classify_refusal(run, MailProtocol::imap, MailStage::greeting, g.value().response.line,
                              fail("protocol.bad_response",
                                   "the server refused the connection: " + mail::printable(g.value().response.line))));
    s.detail = g.value().preauth() ? "PREAUTH: the server signed us in already" : "IMAP server ready";
  });
  steps.run("imap.capabilities", "IMAP capabilities", [&](StepResult& s) { capabilities_step(s, *client, caps); });
  if (e.security == accounts::Security::starttls) {
    steps.run("imap.tls", tls_title(e, true), [&](StepResult& s) {
      if (!caps->starttls())
        return set_failure(
            s, fail("tls.starttls_unavailable", "the account requires STARTTLS but " + endpoint_text(e) +
                                                    " does not offer it: CAPABILITY " + util::join(caps->atoms)));
      auto r = client->starttls(tls_options(a, e));
      record_tls(s, r, client->connection(), a);
    });
    steps.run("imap.capabilities_tls", "IMAP capabilities after STARTTLS",
              [&](StepResult& s) { capabilities_step(s, *client, caps); });
  }

  if (!skip_without_secret(steps, run, "imap", true)) {
    steps.run("imap.auth", "Sign in as " + a.login_name(), [&](StepResult& s) {
      auto mech = choose_mechanism(
          run, [&](mail::sasl::Mechanism m) { return caps->supports(m); }, !caps->login_disabled());
      if (!mech)
        return set_failure(
            s, fail("auth.mechanism_unavailable",
                    "the server offers AUTH=" + (caps->auth.empty() ? "(none)" : util::join(caps->auth, ",")) +
                        (caps->login_disabled() ? " and LOGINDISABLED" : "") + "; the account signs in with " +
                        std::string(run.options.mechanism                    ? mail::sasl::name(*run.options.mechanism)
                                    : a.auth == accounts::AuthMethod::oauth2 ? "XOAUTH2"
                                                                             : "PLAIN or LOGIN")));
      s.evidence.push_back("mechanism=" + std::string(mail::sasl::name(*mech)));
      mail::sasl::Credentials creds{a.login_name(), *run.secret, e.host, static_cast<uint16_t>(e.port)};
      auto r = client->authenticate(*mech, creds);
      if (!r) return set_failure(s, r.failure());
      if (!r.value().ok) {
        std::vector<std::string> lines = r.value().untagged;
        lines.push_back(r.value().response.line);
        return record_refusal(s, run, MailProtocol::imap, lines, r.value().challenge_base64, r.value().challenge);
      }
      s.evidence.push_back("server: " + mail::printable(r.value().response.line, 500));
      s.detail = "signed in with " + std::string(mail::sasl::name(*mech));
    });
    steps.run("imap.mailbox", "Open INBOX (EXAMINE)", [&](StepResult& s) {
      auto m = client->examine("INBOX");
      if (!m) {
        const std::string& line = client->last_response().line;
        set_failure(s, line.empty() ? m.failure()
                                    : classify_refusal(run, MailProtocol::imap, MailStage::mailbox, line, m.failure()));
        if (!client->last_response().line.empty())
          s.evidence.push_back("server: " + mail::printable(client->last_response().line, 500));
        return;
      }
      const mail::Mailbox& mb = m.value();
      auto opt = [](const std::optional<uint32_t>& v) { return v ? std::to_string(*v) : std::string("(none)"); };
      s.evidence.push_back("UIDVALIDITY=" + opt(mb.uidvalidity));
      s.evidence.push_back("UIDNEXT=" + opt(mb.uidnext));
      s.evidence.push_back("EXISTS=" + std::to_string(mb.exists));
      s.evidence.push_back("server: " + mail::printable(mb.response.line, 500));
      s.detail = "INBOX holds " + std::to_string(mb.exists) + " message(s), UIDVALIDITY " + opt(mb.uidvalidity);
    });
  }
  // A polite LOGOUT only on a healthy conversation: a silent or confused server would cost a timeout.
  if (client && !steps.blocked() && client->connection().is_open()) (void)client->logout();
}

}  // namespace md::diagnostics::detail
