// The steps every mail protocol shares: dns, tcp, tls (its certificate evidence, the warnings for
// no encryption and for verification turned off), the choice of SASL mechanism, and turning a
// refused sign-in into a failure code with the server's words as evidence.
#include <algorithm>

#include "diagnostics/ladder.h"
#include "tokens/token_service.h"
#include "util/text.h"

namespace md::diagnostics::detail {

namespace {

mail::Milliseconds timeout_of(const accounts::Account& a) {
  return mail::Milliseconds(int64_t{a.timeout_s} * 1000);
}

}  // namespace

mail::TlsOptions tls_options(const accounts::Account& account, const accounts::ServerEndpoint& endpoint) {
  mail::TlsOptions o;
  o.host = endpoint.host;
  o.ca_file = account.ca_file.value_or("");
  o.verify = account.verify_tls;
  return o;
}

std::string tls_title(const accounts::ServerEndpoint& e, bool starttls) {
  return std::string(starttls ? "STARTTLS" : "TLS handshake") + " with " + endpoint_text(e);
}

void record_tls(StepResult& s, const Result<mail::TlsInfo>& result, const mail::Connection& connection,
                const accounts::Account& account) {
  const std::optional<mail::TlsInfo>& info =
      result ? std::optional<mail::TlsInfo>(result.value()) : connection.tls_info();
  if (info) {
    const mail::TlsInfo& t = *info;
    if (!t.protocol.empty()) s.evidence.push_back("protocol=" + t.protocol);
    if (!t.cipher.empty()) s.evidence.push_back("cipher=" + t.cipher);
    s.evidence.push_back("server certificate subject=" + t.subject);
    s.evidence.push_back("server certificate issuer=" + t.issuer);
    s.evidence.push_back("server certificate notBefore=" + t.not_before);
    s.evidence.push_back("server certificate notAfter=" + t.not_after);
    const std::string sans = util::join(t.subject_alt_names, ", ");
    s.evidence.push_back("subjectAltName=" + (sans.empty() ? std::string("(none)") : sans));
    if (!t.chain_top_issuer.empty()) s.evidence.push_back("chain top issuer=" + t.chain_top_issuer);
    s.evidence.push_back("verify result=" + std::to_string(t.verify_code) + " (" + t.verify_text + ")" +
                         (t.verification_enabled ? "" : ", verification off"));
  }
  if (!result) {
    set_failure(s, result.failure());
    return;
  }
  const mail::TlsInfo& t = result.value();
  if (!account.verify_tls) {
    s.status = StepStatus::warn;
    s.detail = t.protocol + " established, but certificate verification is TURNED OFF for this account: " +
               "anyone between here and the server could read the mail and the password or token" +
               (t.verify_code != 0 ? " (the certificate would have failed: " + t.verify_text + ")" : "");
    return;
  }
  s.detail = t.protocol + ", certificate for " + t.subject + " issued by " + t.issuer + ", valid until " + t.not_after;
}

std::optional<mail::Connection> open_steps(StepRunner& steps, const MailRun& run, accounts::Protocol protocol) {
  const accounts::Account& a = run.account;
  const accounts::ServerEndpoint& e = a.endpoint(protocol);
  const std::string proto = accounts::to_string(protocol);
  const auto timeout = timeout_of(a);
  std::vector<mail::Address> addresses;
  steps.run(proto + ".dns", "Look up " + e.host, [&](StepResult& s) {
    auto r = mail::resolve(e.host, static_cast<uint16_t>(e.port), timeout);
    if (!r) return set_failure(s, r.failure());
    addresses = r.value();
    for (const mail::Address& ad : addresses) s.evidence.push_back(ad.ip);
    s.detail = e.host + " → " + std::to_string(addresses.size()) + " address(es)";
  });
  std::optional<mail::Connection> conn;
  steps.run(proto + ".tcp", "Connect to " + endpoint_text(e), [&](StepResult& s) {
    mail::Connection c;
    c.set_timeout(timeout);
    if (run.inputs.mail_transcript) {
      c.set_transcript(
          [t = run.inputs.mail_transcript, proto](protolog::Direction d, std::string_view text) { t(proto, d, text); });
    }
    c.note(proto + ": connecting to " + endpoint_text(e));
    auto r = c.connect(addresses);
    if (!r) return set_failure(s, r.failure());
    s.detail = "connected to " + c.peer().ip + " port " + std::to_string(c.peer().port);
    conn = std::move(c);
  });
  if (!conn) {
    // Blocked by the failure before: recorded as a skip with its reason.
    if (e.security != accounts::Security::starttls) steps.run(proto + ".tls", tls_title(e, false), [](StepResult&) {});
    return std::nullopt;
  }
  if (e.security == accounts::Security::tls) {
    bool ok = steps.run(proto + ".tls", tls_title(e, false), [&](StepResult& s) {
      auto r = conn->start_tls(tls_options(a, e));
      record_tls(s, r, *conn, a);
    });
    if (!ok) return std::nullopt;
  } else if (e.security == accounts::Security::none) {
    steps.run(proto + ".tls", "Encryption with " + endpoint_text(e), [&](StepResult& s) {
      s.status = StepStatus::warn;
      s.detail =
          "no encryption: the account is set to security none, so the conversation (sign-in included) "
          "crosses the network in plain text";
    });
  }
  return conn;
}

std::optional<mail::sasl::Mechanism> choose_mechanism(const MailRun& run,
                                                      const std::function<bool(mail::sasl::Mechanism)>& offered,
                                                      bool login_always_possible) {
  using mail::sasl::Mechanism;
  if (run.options.mechanism) {
    Mechanism m = *run.options.mechanism;
    if (offered(m) || (m == Mechanism::login && login_always_possible)) return m;
    return std::nullopt;
  }
  if (run.account.auth == accounts::AuthMethod::oauth2) {
    if (offered(Mechanism::xoauth2)) return Mechanism::xoauth2;
    return std::nullopt;
  }
  if (offered(Mechanism::plain)) return Mechanism::plain;
  if (offered(Mechanism::login) || login_always_possible) return Mechanism::login;
  return std::nullopt;
}

Failure classify_refusal(const MailRun& run, MailProtocol protocol, MailStage stage, const std::string& response,
                         Failure fallback) {
  if (auto code = match_failure(server_evidence(run.account, protocol, stage, response))) fallback.code = *code;
  return fallback;
}

void record_refusal(StepResult& s, const MailRun& run, MailProtocol protocol,
                    const std::vector<std::string>& server_lines, const std::string& challenge_base64,
                    const std::optional<mail::sasl::Challenge>& challenge) {
  const bool oauth = run.account.auth == accounts::AuthMethod::oauth2;
  ServerEvidence ev = server_evidence(run.account, protocol, MailStage::auth, "");
  for (const std::string& l : server_lines) {
    ev.response += (ev.response.empty() ? "" : "\n") + l;
    s.evidence.push_back("server: " + mail::printable(l, 500));
  }
  if (!challenge_base64.empty()) s.evidence.push_back("challenge (base64): " + mail::printable(challenge_base64, 500));
  if (challenge) {
    ev.challenge = challenge->raw;
    s.evidence.push_back("challenge (decoded): " + mail::printable(challenge->raw, 500));
  }
  std::string code = match_failure(ev).value_or(oauth ? "auth.token_rejected" : "auth.bad_credentials");
  if (code == "auth.token_rejected" && run.inputs.db != nullptr && run.inputs.vault != nullptr) {
    if (!run.refresh_after_refusal) {
      auto fresh = tokens::fresh_access_token(*run.inputs.db, *run.inputs.vault, run.account,
                                              tokens::kDefaultRefreshMargin, true, run.inputs.http_transcript);
      if (fresh && run.inputs.protect_secret) run.inputs.protect_secret(fresh.value().access_token);
      run.refresh_after_refusal = fresh ? std::optional<Failure>() : std::optional<Failure>(fresh.failure());
    }
    if (const std::optional<Failure>& refresh = *run.refresh_after_refusal) {
      s.evidence.push_back("a token refresh after the refusal failed: [" + refresh->code + "] " + refresh->detail);
      if (refresh->code == "oauth.invalid_grant") code = refresh->code;  // the sign-in itself was revoked
    } else {
      s.evidence.push_back("a token refresh after the refusal worked: run the check again to use the new token");
    }
  }
  std::string last = server_lines.empty() ? std::string("(no reply)") : mail::printable(server_lines.back(), 300);
  set_failure(s, fail(code, "the server refused the sign-in as " + run.account.login_name() + ": " + last));
}

bool skip_without_secret(StepRunner& steps, const MailRun& run, std::string_view proto, bool has_mailbox) {
  if (run.secret) return false;
  const std::string p(proto);
  steps.skip(p + ".auth", "Sign in as " + run.account.login_name(), run.secret_missing);
  if (has_mailbox) steps.skip(p + ".mailbox", "Open the mailbox", run.secret_missing);
  return true;
}

}  // namespace md::diagnostics::detail
