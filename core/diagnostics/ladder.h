// The check ladder (DESIGN.md "The check ladder"): per enabled protocol dns → tcp → tls → greeting
// → capabilities → auth → mailbox, plus oauth.endpoints, oauth.token and clock. Each step is
// pass / warn / fail / skip with its duration, the catalogue's explanation and the evidence (the
// server's own words, the certificate's facts). A step after a failure in the same protocol is a
// skip naming the failure. Every network wait is bounded by the account's timeout.
//
// Transport: MailDoctor's own IMAP/POP3/SMTP clients (core/mail) rather than libcurl, because the
// ladder needs what libcurl hides: the raw greeting, the chosen SASL mechanism (curl prefers
// OAUTHBEARER over XOAUTH2, curl issue 10259), the base64 error challenge and the certificate of
// a refused handshake. HTTP (OAuth endpoints, the clock) goes through net::http_get (libcurl).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/account.h"
#include "diagnostics/check_report.h"
#include "diagnostics/matchers.h"
#include "mail/connection.h"
#include "mail/sasl.h"
#include "net/http_client.h"
#include "protolog/protolog.h"
#include "result.h"
#include "store/database.h"
#include "vault/vault.h"

namespace md::diagnostics {

// The groups `--only` selects.
enum class LadderGroup { imap, pop3, smtp, oauth, clock };
inline constexpr LadderGroup kAllGroups[] = {LadderGroup::imap, LadderGroup::pop3, LadderGroup::smtp,
                                             LadderGroup::oauth, LadderGroup::clock};
const char* to_string(LadderGroup g);
// "imap,pop3,smtp,oauth,clock" (any subset, any order) → groups; usage failure naming a bad word.
Result<std::vector<LadderGroup>> parse_groups(std::string_view list);

struct LadderOptions {
  std::vector<LadderGroup> only;                   // empty: every group
  std::optional<std::string> send_test;            // SMTP: send a test message to this address
  std::optional<mail::sasl::Mechanism> mechanism;  // overrides the account's default mechanism
  std::string client_name;  // what EHLO says; empty: SmtpClient::default_client_name() (RFC 5321 4.1.4)
};

// One line of a mail protocol's conversation: "imap", "pop3" or "smtp".
using MailTranscript = std::function<void(std::string_view protocol, protolog::Direction, std::string_view text)>;

struct LadderInputs {
  // Password accounts: the saved password (nullopt: none saved; the auth step says so).
  std::optional<std::string> password;
  // OAuth accounts: the store and vault holding the tokens (nullptr: oauth.not_signed_in).
  store::Database* db = nullptr;
  const vault::Vault* vault = nullptr;
  net::Transcript* http_transcript = nullptr;  // OAuth endpoint and token traffic
  MailTranscript mail_transcript;              // IMAP/POP3/SMTP traffic
  // Called with every secret (password, access token) before it is sent anywhere.
  std::function<void(std::string_view)> protect_secret;
  std::function<void(const StepResult&)> on_step;  // each finished step, in order
  std::function<bool()> cancelled;                 // asked between steps
};

CheckReport run_ladder(const accounts::Account& account, const LadderInputs& inputs, const LadderOptions& options);

// Clock skew (server minus local): pass up to 2 minutes, warn up to 5, fail beyond (clock.skew).
StepStatus classify_clock_skew(std::chrono::seconds skew);
// An HTTP Date header (IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT"); nullopt when unparsable.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

namespace detail {

// Runs one protocol's (or group's) steps in order: measures each, reports it, and turns every
// step after a failure (or a cancellation) into a skip with the reason.
class StepRunner {
 public:
  StepRunner(CheckReport& report, const LadderInputs& inputs) : report_(report), inputs_(inputs) {}

  // Runs `body` unless an earlier step failed; true when the step did not fail (pass/warn).
  bool run(std::string id, std::string title, const std::function<void(StepResult&)>& body);
  // A step that is skipped whatever happens, with this reason.
  void skip(std::string id, std::string title, std::string reason);
  bool blocked() const { return !skip_reason_.empty(); }
  // A new group: earlier failures no longer block (cancellation still does).
  void reset() {
    if (!cancelled_) skip_reason_.clear();
  }

 private:
  void finish(StepResult step);
  CheckReport& report_;
  const LadderInputs& inputs_;
  std::string skip_reason_;
  bool cancelled_ = false;
};

// Marks the step failed with the catalogue's explanation of `failure` (detail = failure's detail).
void set_failure(StepResult& step, const Failure& failure);
// "host:port".
std::string endpoint_text(const accounts::ServerEndpoint& e);

// What a mail protocol's steps need beyond the account.
struct MailRun {
  const accounts::Account& account;
  const LadderInputs& inputs;
  const LadderOptions& options;
  std::optional<std::string> secret;  // access token or password; nullopt: auth steps are skipped
  std::string secret_missing;         // why there is none ("skipped: no access token (oauth.token failed)")
  // An access token a server refused is refreshed once per ladder run, to tell a revoked sign-in
  // (the refresh fails with oauth.invalid_grant) from a token only this server dislikes: set on
  // the first refusal to the refresh's failure, or to nullopt when the refresh worked.
  mutable std::optional<std::optional<Failure>> refresh_after_refusal;
};

// dns and tcp (and, for implicit TLS, the tls step; for no encryption, the tls warning) for one
// protocol: the open connection, or nullopt after a failure (already recorded).
std::optional<mail::Connection> open_steps(StepRunner& steps, const MailRun& run, accounts::Protocol protocol);
// The tls step for a finished handshake (implicit or after STARTTLS): evidence from the
// certificate, warn when verification is off, fail with start_tls's code otherwise.
void record_tls(StepResult& step, const Result<mail::TlsInfo>& result, const mail::Connection& connection,
                const accounts::Account& account);
mail::TlsOptions tls_options(const accounts::Account& account, const accounts::ServerEndpoint& endpoint);
std::string tls_title(const accounts::ServerEndpoint& e, bool starttls);

// The mechanism the auth step uses: the override, else XOAUTH2 for OAuth; for passwords PLAIN
// when offered, else LOGIN. nullopt: the wanted mechanism is not offered (`offered` lists them).
std::optional<mail::sasl::Mechanism> choose_mechanism(const MailRun& run,
                                                      const std::function<bool(mail::sasl::Mechanism)>& offered,
                                                      bool login_always_possible);
// A refused sign-in: the matcher's code over the server's words and the decoded challenge, else
// auth.token_rejected (OAuth) / auth.bad_credentials (password); the words are the evidence.
// The failure a server's refusal at `stage` names (matchers.h), else `fallback` with its detail.
Failure classify_refusal(const MailRun& run, MailProtocol protocol, MailStage stage, const std::string& response,
                         Failure fallback);
void record_refusal(StepResult& step, const MailRun& run, MailProtocol protocol,
                    const std::vector<std::string>& server_lines, const std::string& challenge_base64,
                    const std::optional<mail::sasl::Challenge>& challenge);
// "skipped: …" for the auth and mailbox steps when there is no secret to sign in with.
bool skip_without_secret(StepRunner& steps, const MailRun& run, std::string_view proto, bool has_mailbox);

void run_imap(StepRunner& steps, const MailRun& run);
void run_pop3(StepRunner& steps, const MailRun& run);
void run_smtp(StepRunner& steps, const MailRun& run);

}  // namespace detail
}  // namespace md::diagnostics
