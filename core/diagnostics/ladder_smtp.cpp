// The SMTP submission rungs: greeting, EHLO (STARTTLS, AUTH mechanisms), STARTTLS and EHLO again,
// the sign-in with the account's mechanism, and — only when asked (--send-test ADDR) — one test
// message. SMTP has no mailbox step.
#include <ctime>
#include <random>

#include "diagnostics/ladder.h"
#include "mail/smtp_client.h"
#include "platform/time.h"
#include "util/text.h"
#include "util/time.h"

namespace md::diagnostics::detail {
namespace {

std::vector<std::string> lines_of(const std::string& raw) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= raw.size()) {
    size_t nl = raw.find('\n', start);
    std::string line = raw.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!line.empty()) out.push_back(line);
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

void ehlo_step(StepResult& s, mail::SmtpClient& client, const MailRun& run, std::optional<mail::SmtpExtensions>& ext) {
  auto r = client.ehlo(run.options.client_name);
  if (!r) {
    if (client.last_reply().code == 0) return set_failure(s, r.failure());
    return set_failure(
        s, classify_refusal(run, MailProtocol::smtp, MailStage::capabilities, client.last_reply().raw, r.failure()));
  }
  ext = r.value();
  s.evidence.push_back("server: " + mail::printable(ext->greeting, 300));
  for (const std::string& k : ext->keywords) s.evidence.push_back("EHLO " + k);
  s.detail = std::string(ext->starttls() ? "STARTTLS offered" : "no STARTTLS") +
             "; AUTH mechanisms: " + (ext->auth.empty() ? std::string("none") : util::join(ext->auth, ", "));
}

std::string test_message(const accounts::Account& a, const std::string& to) {
  char date[64];
  std::time_t now = std::time(nullptr);
  std::tm tm = platform::utc_tm(now);
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  std::mt19937_64 rng{std::random_device{}()};
  return "From: <" + a.email + ">\r\nTo: <" + to + ">\r\nSubject: MailDoctor test message\r\nDate: " + date +
         "\r\nMessage-ID: <maildoctor-" + std::to_string(rng()) + "@maildoctor.localhost>\r\n" +
         "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
         "This message was sent by MailDoctor's check to prove that sending works for " + a.email + ".\r\n";
}

}  // namespace

void run_smtp(StepRunner& steps, const MailRun& run) {
  const accounts::Account& a = run.account;
  const accounts::ServerEndpoint& e = a.smtp;
  std::optional<mail::SmtpClient> client;
  if (auto conn = open_steps(steps, run, accounts::Protocol::smtp)) client.emplace(std::move(*conn));
  std::optional<mail::SmtpExtensions> ext;

  steps.run("smtp.greeting", "SMTP greeting from " + endpoint_text(e), [&](StepResult& s) {
    auto g = client->read_greeting();
    if (!g) return set_failure(s, g.failure());
    for (const std::string& l : lines_of(g.value().raw)) s.evidence.push_back("server: " + mail::printable(l, 500));
    if (!g.value().positive())
      return set_failure(s, classify_refusal(run, MailProtocol::smtp, MailStage::greeting, g.value().raw,
                                             fail("smtp.rejected", "the server refused the connection: " +
                                                                       mail::printable(g.value().raw))));
    s.detail = "SMTP server ready";
  });
  steps.run("smtp.capabilities", "SMTP capabilities (EHLO)", [&](StepResult& s) { ehlo_step(s, *client, run, ext); });
  if (e.security == accounts::Security::starttls) {
    steps.run("smtp.tls", tls_title(e, true), [&](StepResult& s) {
      if (!ext->starttls())
        return set_failure(s, fail("tls.starttls_unavailable",
                                   "the account requires STARTTLS but " + endpoint_text(e) + " does not offer it"));
      auto r = client->starttls(tls_options(a, e));
      record_tls(s, r, client->connection(), a);
    });
    steps.run("smtp.capabilities_tls", "SMTP capabilities after STARTTLS (EHLO)",
              [&](StepResult& s) { ehlo_step(s, *client, run, ext); });
  }

  if (!skip_without_secret(steps, run, "smtp", false)) {
    steps.run("smtp.auth", "Sign in as " + a.login_name(), [&](StepResult& s) {
      auto mech = choose_mechanism(
          run, [&](mail::sasl::Mechanism m) { return ext->supports(m); }, false);
      if (!mech)
        return set_failure(
            s, fail("auth.mechanism_unavailable",
                    "the server offers AUTH " + (ext->auth.empty() ? "(none)" : util::join(ext->auth, " ")) +
                        "; the account signs in with " +
                        (a.auth == accounts::AuthMethod::oauth2 ? "XOAUTH2" : "PLAIN or LOGIN")));
      s.evidence.push_back("mechanism=" + std::string(mail::sasl::name(*mech)));
      mail::sasl::Credentials creds{a.login_name(), *run.secret, e.host, static_cast<uint16_t>(e.port)};
      auto r = client->authenticate(*mech, creds);
      if (!r) return set_failure(s, r.failure());
      if (!r.value().ok)
        return record_refusal(s, run, MailProtocol::smtp, lines_of(r.value().reply.raw), r.value().challenge_base64,
                              r.value().challenge);
      s.evidence.push_back("server: " + mail::printable(r.value().reply.raw, 500));
      s.detail = "signed in with " + std::string(mail::sasl::name(*mech));
    });
    if (run.options.send_test) {
      steps.run("smtp.send", "Send a test message to " + *run.options.send_test, [&](StepResult& s) {
        auto r = client->send_message(a.email, {*run.options.send_test}, test_message(a, *run.options.send_test));
        if (!r) {
          if (r.failure().code != "smtp.rejected") return set_failure(s, r.failure());
          for (const std::string& l : lines_of(client->last_reply().raw))
            s.evidence.push_back("server: " + mail::printable(l, 500));
          return set_failure(
              s, classify_refusal(run, MailProtocol::smtp, MailStage::send, client->last_reply().raw, r.failure()));
        }
        for (const std::string& l : lines_of(r.value().raw)) s.evidence.push_back("server: " + mail::printable(l, 500));
        s.detail = "the server accepted the test message";
      });
    }
  }
  // A polite QUIT only on a healthy conversation: a silent or confused server would cost a timeout.
  if (client && !steps.blocked() && client->connection().is_open()) (void)client->quit();
}

}  // namespace md::diagnostics::detail
