// auth (browser consent flow or device code) and token (status, forced refresh).
#include <iostream>
#include <ostream>

#include "accounts/repository.h"
#include "cli/account_access.h"
#include "cli/commands.h"
#include "cli/run.h"
#include "oauth/consent_flow.h"
#include "oauth/device_flow.h"
#include "oauth/identity.h"
#include "tokens/token_service.h"
#include "util/time.h"

namespace md::cli {
namespace {

using std::chrono::system_clock;

std::string format_duration(long long seconds) {
  if (seconds <= 0) return "expired";
  char buf[32];
  if (seconds >= 3600)
    std::snprintf(buf, sizeof buf, "%lldh %02lldm", seconds / 3600, (seconds % 3600) / 60);
  else
    std::snprintf(buf, sizeof buf, "%02lld:%02lld", seconds / 60, seconds % 60);
  return buf;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}

}  // namespace

int cmd_auth(CommandContext& ctx) {
  const bool device = ctx.args.flag("--device");
  auto browser = ctx.args.value("--browser");
  auto timeout_text = ctx.args.value("--consent-timeout");
  if (auto r = ctx.args.finish(); !r) return ctx.report(r.failure());
  auto names = ctx.args.positionals();
  if (names.size() != 1) return ctx.report(fail("usage", "auth needs exactly one NAME"));
  std::chrono::seconds consent_timeout{300};
  if (timeout_text) {
    try {
      consent_timeout = std::chrono::seconds(std::stoi(*timeout_text));
    } catch (const std::exception&) {
      return ctx.report(fail("usage", "--consent-timeout needs a number of seconds"));
    }
  }

  auto opened = open_account(ctx, names[0]);
  if (!opened) return ctx.report(opened.failure());
  OpenedAccount& o = opened.value();
  if (o.account.auth != accounts::AuthMethod::oauth2)
    return ctx.report(
        fail("usage",
             "'" + o.account.name +
                 "' signs in with a password: there is nothing to authenticate in a browser. Run 'maildoctor check " +
                 o.account.name + "'."));
  auto cfg = tokens::client_config(*o.db, o.vault, o.account);
  if (!cfg) return ctx.report(cfg.failure());
  net::Transcript* transcript = ctx.transcript(o.account.name);

  Result<oauth::TokenSet> tokens = fail("oauth.bad_response", "no sign-in attempted");
  if (device) {
    if (cfg.value().device_url.empty())
      return ctx.report(fail("oauth.invalid_request",
                             "This provider offers no device-code sign-in for mail (Google refuses the Gmail scope "
                             "there). Use the browser sign-in on this computer: 'maildoctor auth NAME' prints the "
                             "address to paste into a browser here if none opens."));
    auto start = oauth::start_device(cfg.value(), transcript);
    if (!start) return ctx.report(start.failure());
    const auto& d = start.value();
    ctx.out << "To sign in, open this address on any device:\n  Address: " << d.verification_uri << "\n"
            << "and enter the code:\n  Code: " << d.user_code << "\n";
    if (d.message && !d.message->empty()) ctx.out << *d.message << "\n";
    ctx.out << "Waiting for the sign-in (the code expires in " << d.expires_in.count() / 60 << " min)...\n";
    ctx.out.flush();
    tokens = oauth::poll_device(
        cfg.value(), d, [] { return false; }, {}, transcript);
  } else {
    oauth::ConsentOptions opts;
    opts.browser = browser;
    opts.transcript = transcript;
    opts.timeout = consent_timeout;
    opts.login_hint = o.account.email;
    opts.on_url = [&](const std::string& url) {
      ctx.out << "Opening the browser to sign in as " << o.account.email << ".\n"
              << "If it does not open, copy this address into a browser on this computer:\n  " << url << "\n"
              << "Waiting for the browser (up to " << consent_timeout.count() << " s)...\n";
      ctx.out.flush();
    };
    opts.on_browser_failed = [&](const Failure& f) { ctx.err << "maildoctor: " << f.detail << "\n"; };
    tokens = oauth::run_consent_flow(cfg.value(), opts);
  }
  if (!tokens) return ctx.report(tokens.failure());
  ctx.protect_secret(tokens.value().access_token);
  if (tokens.value().refresh_token) ctx.protect_secret(*tokens.value().refresh_token);
  if (tokens.value().id_token) ctx.protect_secret(*tokens.value().id_token);

  auto identity = oauth::verify_sign_in(cfg.value(), o.account.email, tokens.value(), transcript);
  if (!identity) return ctx.report(identity.failure());
  if (auto r = tokens::save_sign_in(*o.db, o.vault, o.account, tokens.value(), identity.value()); !r)
    return ctx.report(r.failure());

  const auto left = std::chrono::duration_cast<std::chrono::seconds>(tokens.value().expires_at - system_clock::now());
  ctx.out << "Signed in as " << identity.value() << ". Access token valid for " << format_duration(left.count())
          << " (until " << util::format_iso8601(tokens.value().expires_at) << ")"
          << (tokens.value().refresh_token ? "; it will be refreshed automatically" : "; no refresh token was given")
          << ".\nGranted: " << join(tokens.value().granted_scopes) << "\n";
  return kExitOk;
}

int cmd_token(CommandContext& ctx) {
  ctx.json = ctx.args.flag("--json");
  const bool refresh = ctx.args.flag("--refresh");
  if (auto r = ctx.args.finish(); !r) return ctx.report(r.failure());
  auto names = ctx.args.positionals();
  if (names.size() != 1) return ctx.report(fail("usage", "token needs exactly one NAME"));
  auto opened = open_account(ctx, names[0]);
  if (!opened) return ctx.report(opened.failure());
  OpenedAccount& o = opened.value();
  if (o.account.auth != accounts::AuthMethod::oauth2)
    return ctx.report(fail("usage", "'" + o.account.name + "' signs in with a password: it has no tokens."));

  auto status = tokens::load_status(*o.db, o.account.name);
  if (!status) return ctx.report(status.failure());
  if (!status.value().signed_in)
    return ctx.report(fail("oauth.not_signed_in", "Sign in first: maildoctor auth " + o.account.name));
  std::optional<Failure> refresh_failure;
  bool refreshed = false;
  if (refresh) {
    auto fresh = tokens::fresh_access_token(*o.db, o.vault, o.account, tokens::kDefaultRefreshMargin, true,
                                            ctx.transcript(o.account.name));
    if (fresh) {
      ctx.protect_secret(fresh.value().access_token);
      refreshed = fresh.value().refreshed;
    } else {
      refresh_failure = fresh.failure();
    }
    status = tokens::load_status(*o.db, o.account.name);
    if (!status) return ctx.report(status.failure());
  }
  const auto now = system_clock::now();
  const tokens::TokenStatus& s = status.value();
  if (ctx.json) {
    auto doc = tokens::to_json(s, now);
    doc["account"] = o.account.name;
    doc["refreshed"] = refreshed;
    if (refresh_failure) {
      doc["ok"] = false;
      doc["failure"] = failure_json(*refresh_failure);
      ctx.emit(doc);
      return exit_code_for(*refresh_failure);
    }
    doc["ok"] = true;
    ctx.emit(doc);
    return kExitOk;
  }
  if (refresh_failure) return ctx.report(*refresh_failure);
  ctx.out << o.account.name << ": signed in as " << (s.identity.empty() ? "(unknown)" : s.identity) << "\n";
  ctx.out << "  access token   "
          << (s.expires_at
                  ? format_duration(s.seconds_left(now)) + " left (expires " + util::format_iso8601(*s.expires_at) + ")"
                  : std::string("no expiry known"))
          << (refreshed ? ", just refreshed" : "") << "\n";
  ctx.out << "  refresh token  "
          << (s.sign_in_dead() ? std::string("refused by the provider (") + s.last_error->code +
                                     "): the sign-in is dead, run: maildoctor auth " + o.account.name
              : s.refreshable
                  ? (s.refresh_issued_at
                         ? format_duration(
                               std::chrono::duration_cast<std::chrono::seconds>(now - *s.refresh_issued_at).count()) +
                               " old"
                         : std::string("saved"))
                  : std::string("none: sign in again when the access token expires"))
          << "\n";
  ctx.out << "  scopes         " << join(s.scopes) << "\n";
  if (s.last_error)
    ctx.out << "  LAST REFRESH FAILED: [" << s.last_error->code << "] " << s.last_error->detail
            << "\n  Re-authenticate: maildoctor auth " << o.account.name << "\n";
  return kExitOk;
}

}  // namespace md::cli
