// Quick connectivity: every provider host checked in parallel (dns, tcp, tls with the system's
// trust store), the steps reported in the table's order once all are done; plus the proxy step.
#include "diagnostics/quick_check.h"

#include <cstdlib>
#include <future>

#include "accounts/presets.h"
#include "diagnostics/ladder.h"
#include "mail/connection.h"
#include "mail/smtp_client.h"

namespace md::diagnostics {
namespace {

using std::chrono::steady_clock;

long long ms_since(steady_clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - t0).count();
}

std::vector<StepResult> check_host(const accounts::ProviderHost& h, std::chrono::milliseconds timeout) {
  const std::string role(h.role), host(h.host);
  const std::string where = host + ":" + std::to_string(h.port);
  std::vector<StepResult> out(3);
  out[0].id = role + ".dns";
  out[0].title = "Look up " + host + " (" + role + ")";
  out[1].id = role + ".tcp";
  out[1].title = "Connect to " + where;
  out[2].id = role + ".tls";
  out[2].title = "TLS handshake with " + where + (h.starttls ? " (after STARTTLS)" : "");
  std::string skip_reason;
  auto t0 = steady_clock::now();
  auto addresses = mail::resolve(host, static_cast<uint16_t>(h.port), timeout);
  out[0].duration_ms = ms_since(t0);
  mail::Connection conn;
  conn.set_timeout(timeout);
  if (!addresses) {
    detail::set_failure(out[0], addresses.failure());
    skip_reason = "skipped: " + out[0].id + " failed";
  } else {
    out[0].status = StepStatus::pass;
    for (const mail::Address& a : addresses.value()) out[0].evidence.push_back(a.ip);
    out[0].detail = host + " → " + std::to_string(addresses.value().size()) + " address(es)";
    t0 = steady_clock::now();
    auto c = conn.connect(addresses.value());
    out[1].duration_ms = ms_since(t0);
    if (!c) {
      detail::set_failure(out[1], c.failure());
      skip_reason = "skipped: " + out[1].id + " failed";
    } else {
      out[1].status = StepStatus::pass;
      out[1].detail = "connected to " + conn.peer().ip;
      t0 = steady_clock::now();
      accounts::Account none;  // verification on, no extra CA
      out[2].status = StepStatus::pass;
      if (h.starttls) {
        // Submission on 587 answers in plain text first: greeting, EHLO, STARTTLS, then TLS.
        mail::SmtpClient smtp(std::move(conn));
        auto greeting = smtp.read_greeting();
        auto ehlo = greeting ? smtp.ehlo() : Result<mail::SmtpExtensions>(greeting.failure());
        auto t = ehlo ? smtp.starttls(mail::TlsOptions{host, "", true}) : Result<mail::TlsInfo>(ehlo.failure());
        out[2].duration_ms = ms_since(t0);
        detail::record_tls(out[2], t, smtp.connection(), none);
        (void)smtp.quit();
      } else {
        auto t = conn.start_tls(mail::TlsOptions{host, "", true});
        out[2].duration_ms = ms_since(t0);
        detail::record_tls(out[2], t, conn, none);
      }
    }
  }
  for (StepResult& s : out) {
    if (!skip_reason.empty() && s.status == StepStatus::skip && s.detail.empty()) s.detail = skip_reason;
  }
  return out;
}

StepResult proxy_step(const QuickCheckOptions& o) {
  StepResult s;
  s.id = "proxy";
  s.title = "HTTP proxy";
  s.status = StepStatus::pass;
  auto env = o.getenv ? o.getenv : [](const char* n) -> std::optional<std::string> {
    const char* v = std::getenv(n);
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
  std::vector<std::string> found;
  for (const char* name : {"HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "HTTP_PROXY", "http_proxy"}) {
    auto v = env(name);
    if (v && !v->empty()) found.push_back(std::string(name) + "=" + mask_proxy_credentials(*v));
  }
  if (auto no = env("NO_PROXY"); no && !no->empty()) s.evidence.push_back("NO_PROXY=" + *no);
  if (found.empty()) {
    s.detail = "no proxy configured: connections go straight to the servers";
    return s;
  }
  s.status = StepStatus::warn;
  for (const std::string& f : found) s.evidence.insert(s.evidence.begin(), f);
  s.detail = "a proxy is configured (" + found.front() +
             "): sign-in and token requests go through it, IMAP/POP3/SMTP connections do not; if the checks below "
             "fail while a browser works, the network may only allow traffic through the proxy";
  return s;
}

}  // namespace

std::string mask_proxy_credentials(std::string_view url) {
  std::string s(url);
  size_t scheme = s.find("://");
  size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  size_t at = s.find('@', start);
  size_t slash = s.find('/', start);
  if (at == std::string::npos || (slash != std::string::npos && slash < at)) return s;
  size_t colon = s.find(':', start);
  if (colon != std::string::npos && colon < at) return s.substr(0, colon + 1) + "***" + s.substr(at);
  return s;
}

CheckReport run_quick_check(accounts::Provider provider, const QuickCheckOptions& options) {
  CheckReport report;
  report.started_at = std::chrono::system_clock::now();
  auto emit = [&](StepResult s) {
    report.steps.push_back(std::move(s));
    if (options.on_step) options.on_step(report.steps.back());
  };
  emit(proxy_step(options));
  std::vector<std::future<std::vector<StepResult>>> futures;
  for (const accounts::ProviderHost& h : accounts::provider_hosts(provider))
    futures.push_back(std::async(std::launch::async, [h, t = options.timeout] { return check_host(h, t); }));
  for (auto& f : futures)
    for (StepResult& s : f.get()) emit(std::move(s));
  return report;
}

}  // namespace md::diagnostics
