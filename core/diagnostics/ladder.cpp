// The ladder's driver: group selection, the step runner (timing, skips after a failure,
// cancellation), the OAuth steps (oauth.endpoints, oauth.token), the clock step, and the order in
// which the protocols run. The protocols' own steps live in ladder_imap/pop3/smtp.cpp.
#include "diagnostics/ladder.h"

#include <ctime>
#include <future>

#include "oauth/identity.h"
#include "platform/time.h"
#include "tokens/token_service.h"
#include "util/time.h"

namespace md::diagnostics {

using std::chrono::steady_clock;
using std::chrono::system_clock;

const char* to_string(LadderGroup g) {
  switch (g) {
    case LadderGroup::imap: return "imap";
    case LadderGroup::pop3: return "pop3";
    case LadderGroup::smtp: return "smtp";
    case LadderGroup::oauth: return "oauth";
    case LadderGroup::clock: return "clock";
  }
  return "imap";
}

Result<std::vector<LadderGroup>> parse_groups(std::string_view list) {
  std::vector<LadderGroup> out;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view word = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (word.empty()) continue;
    bool known = false;
    for (LadderGroup g : kAllGroups) {
      if (word == to_string(g)) {
        out.push_back(g);
        known = true;
      }
    }
    if (!known)
      return fail("usage", "--only: unknown group '" + std::string(word) + "' (use imap, pop3, smtp, oauth, clock)");
  }
  if (out.empty()) return fail("usage", "--only needs at least one of imap, pop3, smtp, oauth, clock");
  return out;
}

StepStatus classify_clock_skew(std::chrono::seconds skew) {
  const auto magnitude = skew < std::chrono::seconds{0} ? -skew : skew;
  if (magnitude > std::chrono::minutes{5}) return StepStatus::fail;
  if (magnitude > std::chrono::minutes{2}) return StepStatus::warn;
  return StepStatus::pass;
}

std::optional<system_clock::time_point> parse_http_date(std::string_view text) {
  // IMF-fixdate only (RFC 9110 5.6.7): what every current server sends.
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char wday[4] = {}, mon[4] = {}, zone[4] = {};
  int day = 0, year = 0, hh = 0, mm = 0, ss = 0;
  const std::string s(text);
  if (std::sscanf(s.c_str(), "%3s, %d %3s %d %d:%d:%d %3s", wday, &day, mon, &year, &hh, &mm, &ss, zone) != 8)
    return std::nullopt;
  if (std::string_view(zone) != "GMT" && std::string_view(zone) != "UTC") return std::nullopt;
  int month = -1;
  for (int i = 0; i < 12; ++i)
    if (std::string_view(mon) == kMonths[i]) month = i;
  if (month < 0 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 || year < 1970) return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month;
  tm.tm_mday = day;
  tm.tm_hour = hh;
  tm.tm_min = mm;
  tm.tm_sec = ss;
  return system_clock::from_time_t(platform::utc_time(tm));
}

namespace detail {

bool StepRunner::run(std::string id, std::string title, const std::function<void(StepResult&)>& body) {
  if (!cancelled_ && inputs_.cancelled && inputs_.cancelled()) {
    cancelled_ = true;
    skip_reason_ = "skipped: the check was cancelled";
  }
  if (blocked()) {
    skip(std::move(id), std::move(title), skip_reason_);
    return false;
  }
  StepResult step;
  step.id = std::move(id);
  step.title = std::move(title);
  step.status = StepStatus::pass;
  const auto t0 = steady_clock::now();
  body(step);
  step.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - t0).count();
  const bool failed = step.status == StepStatus::fail;
  if (failed) {
    std::string what = step.failure ? step.failure->title : step.title;
    skip_reason_ = "skipped: " + step.id + " failed" + (what.empty() ? "" : " (" + what + ")");
  }
  finish(std::move(step));
  return !failed;
}

void StepRunner::skip(std::string id, std::string title, std::string reason) {
  StepResult step;
  step.id = std::move(id);
  step.title = std::move(title);
  step.status = StepStatus::skip;
  step.detail = std::move(reason);
  finish(std::move(step));
}

void StepRunner::finish(StepResult step) {
  report_.steps.push_back(std::move(step));
  if (inputs_.on_step) inputs_.on_step(report_.steps.back());
}

void set_failure(StepResult& step, const Failure& failure) {
  step.status = StepStatus::fail;
  step.failure = explain(failure);
  step.detail = failure.detail;
}

std::string endpoint_text(const accounts::ServerEndpoint& e) {
  const bool v6 = e.host.find(':') != std::string::npos;
  return (v6 ? "[" + e.host + "]" : e.host) + ":" + std::to_string(e.port);
}

}  // namespace detail

namespace {

using detail::set_failure;
using detail::StepRunner;

bool selected(const LadderOptions& o, LadderGroup g) {
  if (o.only.empty()) return true;
  for (LadderGroup x : o.only)
    if (x == g) return true;
  return false;
}

net::HttpOptions http_options(const accounts::Account& a) {
  net::HttpOptions h;
  h.ca_file = a.ca_file;
  h.timeout_s = a.timeout_s;
  h.verify_tls = a.verify_tls;
  h.max_body_bytes = 256 * 1024;
  return h;
}

struct EndpointProbe {
  std::string role;  // "authorize", "token"
  std::string url;
  std::optional<Result<net::HttpResponse>> answer;
};

// oauth.endpoints: both GETs at once, so the step takes one timeout at most. Any HTTP status
// counts as reachable (a GET on a token endpoint is answered 400/404/405).
void endpoints_step(StepResult& s, const accounts::Account& a, const LadderInputs& in,
                    std::optional<net::HttpResponse>& token_answer) {
  std::vector<EndpointProbe> probes = {{"authorize", a.oauth.authorize_url, {}}, {"token", a.oauth.token_url, {}}};
  std::vector<std::future<Result<net::HttpResponse>>> futures;
  for (const EndpointProbe& p : probes) {
    if (p.url.empty()) {
      futures.emplace_back();
      continue;
    }
    futures.push_back(std::async(std::launch::async, [url = p.url, opts = http_options(a), t = in.http_transcript] {
      return net::http_get(url, {}, opts, t);
    }));
  }
  std::vector<std::string> problems;
  std::optional<Failure> first;
  for (size_t i = 0; i < probes.size(); ++i) {
    EndpointProbe& p = probes[i];
    if (p.url.empty()) {
      problems.push_back(p.role + " endpoint: no URL configured");
      if (!first) first = fail("oauth.endpoint_unreachable", "the account has no " + p.role + " endpoint URL");
      continue;
    }
    auto r = futures[i].get();
    if (r) {
      s.evidence.push_back(p.role + " " + p.url + " answered HTTP " + std::to_string(r.value().status));
      if (p.role == "token") token_answer = r.value();
    } else {
      s.evidence.push_back(p.role + " " + p.url + ": [" + r.failure().code + "] " + r.failure().detail);
      problems.push_back(p.role + " endpoint " + net::url_host(p.url) + " unreachable: [" + r.failure().code + "] " +
                         r.failure().detail);
      if (!first) first = r.failure();
    }
  }
  if (problems.empty()) {
    s.detail = "the sign-in and token endpoints answer";
    return;
  }
  std::string detail;
  for (const std::string& p : problems) detail += (detail.empty() ? "" : "; ") + p;
  set_failure(s, fail("oauth.endpoint_unreachable", detail));
}

// oauth.token: signed in, refreshed when near expiry, right scopes and identity. Returns the
// access token the auth steps use.
std::optional<std::string> token_step(StepResult& s, const accounts::Account& a, const LadderInputs& in) {
  if (in.db == nullptr || in.vault == nullptr) {
    set_failure(s, fail("oauth.not_signed_in", "no token store available; sign in with: maildoctor auth " + a.name));
    return std::nullopt;
  }
  auto status = tokens::load_status(*in.db, a.name);
  if (!status) {
    set_failure(s, status.failure());
    return std::nullopt;
  }
  if (!status.value().signed_in) {
    set_failure(s, fail("oauth.not_signed_in", "'" + a.name + "' has no saved tokens: maildoctor auth " + a.name));
    return std::nullopt;
  }
  // The refresh token is tested too, not only the access token: a sign-in whose refresh is refused dies
  // within the hour while everything else still looks green. A refresh is cheap; what it returns is kept.
  const bool test_refresh = status.value().refresh_token_saved;
  auto fresh =
      tokens::fresh_access_token(*in.db, *in.vault, a, tokens::kDefaultRefreshMargin, test_refresh, in.http_transcript);
  if (!fresh) {
    // A refresh that reached the token endpoint: what it answered (masked) is the evidence.
    const std::string& code = fresh.failure().code;
    if (code != "oauth.not_signed_in" && code != "oauth.no_client" && code.starts_with("oauth."))
      s.evidence.push_back("token refresh at " + a.oauth.token_url + ": " + fresh.failure().detail);
    set_failure(s, fresh.failure());
    return std::nullopt;
  }
  if (in.protect_secret) in.protect_secret(fresh.value().access_token);
  if (auto again = tokens::load_status(*in.db, a.name)) status = std::move(again);
  const tokens::TokenStatus& st = status.value();
  const auto now = system_clock::now();
  if (st.expires_at)
    s.evidence.push_back("expires_at=" + util::format_iso8601(*st.expires_at) +
                         " seconds_left=" + std::to_string(st.seconds_left(now)));
  std::string scopes;
  for (const std::string& sc : st.scopes) scopes += (scopes.empty() ? "" : " ") + sc;
  s.evidence.push_back("scopes=" + scopes);
  if (!st.identity.empty()) s.evidence.push_back("identity=" + st.identity);
  s.evidence.push_back(std::string("refreshable=") + (st.refreshable ? "yes" : "no"));
  if (auto r = oauth::check_scopes(st.scopes, a.oauth.mail_scope); !r) {
    set_failure(s, r.failure());
    return std::nullopt;
  }
  if (!st.identity.empty()) {
    if (auto r = oauth::check_identity(a.email, st.identity); !r) {
      set_failure(s, r.failure());
      return std::nullopt;
    }
  }
  s.detail = fresh.value().refreshed ? "access token refreshed just now: the saved sign-in works"
                                     : "access token present and unexpired (no refresh token to test)";
  return fresh.value().access_token;
}

void clock_step(StepResult& s, const accounts::Account& a, const LadderInputs& in,
                std::optional<net::HttpResponse> token_answer) {
  if (!token_answer && !a.oauth.token_url.empty()) {
    auto r = net::http_get(a.oauth.token_url, {}, http_options(a), in.http_transcript);
    if (r) token_answer = r.value();
  }
  if (!token_answer) {
    s.status = StepStatus::skip;
    s.detail = a.oauth.token_url.empty() ? "skipped: no HTTP server to compare the clock with (no token endpoint)"
                                         : "skipped: the token endpoint did not answer";
    return;
  }
  const auto local = system_clock::now();
  if (!token_answer->date_header) {
    s.status = StepStatus::skip;
    s.detail = "skipped: the token endpoint's answer has no Date header";
    return;
  }
  s.evidence.push_back("server Date: " + *token_answer->date_header);
  s.evidence.push_back("local clock: " + util::format_iso8601(local));
  auto server = parse_http_date(*token_answer->date_header);
  if (!server) {
    s.status = StepStatus::skip;
    s.detail = "skipped: the Date header could not be read";
    return;
  }
  const auto skew = std::chrono::duration_cast<std::chrono::seconds>(*server - local);
  const long long secs = skew.count();
  const std::string words = "the local clock is " + std::to_string(secs < 0 ? -secs : secs) + " s " +
                            (secs > 0 ? "behind" : "ahead of") + " the server's (" + net::url_host(a.oauth.token_url) +
                            ")";
  s.evidence.push_back("skew_s=" + std::to_string(secs));
  switch (classify_clock_skew(skew)) {
    case StepStatus::pass: s.detail = secs == 0 ? "the local clock agrees with the server's" : words; break;
    case StepStatus::warn:
      s.status = StepStatus::warn;
      s.detail = words + ": over 2 minutes, tokens may be refused soon";
      s.failure = explain(fail("clock.skew", s.detail));
      break;
    default: set_failure(s, fail("clock.skew", words + ": over 5 minutes")); break;
  }
}

}  // namespace

CheckReport run_ladder(const accounts::Account& account, const LadderInputs& inputs, const LadderOptions& options) {
  CheckReport report;
  report.account = account.name;
  report.started_at = system_clock::now();
  StepRunner steps(report, inputs);
  const bool oauth = account.auth == accounts::AuthMethod::oauth2;

  struct Proto {
    LadderGroup group;
    accounts::Protocol protocol;
    void (*run)(StepRunner&, const detail::MailRun&);
  };
  const Proto protos[] = {{LadderGroup::imap, accounts::Protocol::imap, detail::run_imap},
                          {LadderGroup::pop3, accounts::Protocol::pop3, detail::run_pop3},
                          {LadderGroup::smtp, accounts::Protocol::smtp, detail::run_smtp}};
  bool any_mail = false;
  for (const Proto& p : protos) any_mail |= selected(options, p.group) && account.endpoint(p.protocol).enabled;

  std::optional<net::HttpResponse> token_answer;
  std::optional<std::string> secret;
  std::string secret_missing;
  if (oauth) {
    if (selected(options, LadderGroup::oauth)) {
      steps.run("oauth.endpoints", "OAuth sign-in and token endpoints reachable",
                [&](StepResult& s) { endpoints_step(s, account, inputs, token_answer); });
      steps.reset();
    }
    if (selected(options, LadderGroup::oauth) || any_mail) {
      const bool ok = steps.run("oauth.token", "Access token for " + account.email,
                                [&](StepResult& s) { secret = token_step(s, account, inputs); });
      if (!ok) secret_missing = "skipped: no access token (oauth.token failed)";
      steps.reset();
    }
  } else {
    secret = inputs.password;
    if (!secret) secret_missing = "skipped: no password saved for this account";
    if (secret && inputs.protect_secret) inputs.protect_secret(*secret);
  }
  if (selected(options, LadderGroup::clock)) {
    steps.run("clock", "Local clock against the server's",
              [&](StepResult& s) { clock_step(s, account, inputs, token_answer); });
    steps.reset();
  }

  const detail::MailRun run{account, inputs, options, secret, secret_missing, std::nullopt};
  for (const Proto& p : protos) {
    if (!selected(options, p.group) || !account.endpoint(p.protocol).enabled) continue;
    p.run(steps, run);
    steps.reset();
  }
  return report;
}

}  // namespace md::diagnostics
