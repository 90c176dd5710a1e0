// check NAME (the ladder of DESIGN.md) and check --provider gmail|microsoft (the installer's quick
// connectivity test). Human output: one line per step as it finishes, with the failure's code,
// reason, remedy and evidence; --json: exactly the `check --json` document; --nagios: the one status
// line and exit code of the Monitoring Plugins convention (core/monitoring/nagios.h). The last report of an
// account is kept in the settings table under "last_check:<name>" for `status` and `report`.
#include <ostream>

#include "cli/account_access.h"
#include "cli/commands.h"
#include "cli/run.h"
#include "diagnostics/ladder.h"
#include "diagnostics/quick_check.h"
#include "mail/sasl.h"
#include "monitoring/nagios.h"
#include "ops/check_ops.h"
#include "tokens/token_service.h"

namespace md::cli {
namespace {

using diagnostics::StepResult;
using diagnostics::StepStatus;

const char* mark(StepStatus s) {
  switch (s) {
    case StepStatus::pass: return "✓";
    case StepStatus::warn: return "!";
    case StepStatus::fail: return "✗";
    case StepStatus::skip: return "-";
  }
  return "-";
}

void print_step(std::ostream& out, const StepResult& s) {
  out << mark(s.status) << " " << s.id << "  " << s.title << "  (" << s.duration_ms << " ms)\n";
  if (s.status == StepStatus::pass) return;
  if (!s.detail.empty()) out << "    " << s.detail << "\n";
  if (s.failure && s.status != StepStatus::skip) {
    out << "    [" << s.failure->code << "] " << s.failure->title << "\n";
    out << "    What happened: " << s.failure->reason << "\n";
    out << "    What to do:    " << s.failure->remedy << "\n";
  }
  if (s.status == StepStatus::fail || s.status == StepStatus::warn)
    for (const std::string& e : s.evidence) out << "    | " << e << "\n";
}

int finish(CommandContext& ctx, const diagnostics::CheckReport& report) {
  if (ctx.json) {
    ctx.emit(diagnostics::to_json(report));
  } else {
    size_t failed = 0, warned = 0;
    for (const StepResult& s : report.steps) {
      failed += s.status == StepStatus::fail;
      warned += s.status == StepStatus::warn;
    }
    ctx.out << (report.ok() ? "All checks passed" : std::to_string(failed) + " check(s) failed")
            << (warned ? " (" + std::to_string(warned) + " warning(s))" : std::string()) << ".\n";
  }
  return report.ok() ? kExitOk : kExitFailed;
}

int quick_check(CommandContext& ctx, const std::string& provider_name) {
  auto provider = accounts::parse_provider(provider_name);
  if (!provider || *provider == accounts::Provider::custom)
    return ctx.report(fail("usage", "--provider must be gmail or microsoft"));
  diagnostics::QuickCheckOptions o;
  if (!ctx.json) {
    o.on_step = [&](const StepResult& s) {
      print_step(ctx.out, s);
      ctx.out.flush();
    };
  }
  return finish(ctx, diagnostics::run_quick_check(*provider, o));
}

// --nagios: every failure before the checks ran (bad arguments, no such account, no store) is
// UNKNOWN on the one status line, exit 3, as the Monitoring Plugins guidelines want.
struct NagiosMode {
  bool on = false;
  monitoring::TokenThresholds thresholds;
  int unknown(CommandContext& ctx, const Failure& f) const {
    const diagnostics::Explanation e = diagnostics::explain(f);
    ctx.out << monitoring::format_status_line(
        monitoring::unknown(e.title + " [" + e.code + "]" + (e.detail.empty() ? "" : ": " + e.detail)));
    return static_cast<int>(monitoring::PluginState::unknown);
  }
};

}  // namespace

int cmd_check(CommandContext& ctx) {
  NagiosMode nagios;
  nagios.on = ctx.args.flag("--nagios");
  ctx.json = ctx.args.flag("--json");
  auto provider = ctx.args.value("--provider");
  auto only = ctx.args.value("--only");
  auto send_test = ctx.args.value("--send-test");
  auto mechanism = ctx.args.value("--mechanism");
  auto warn_expiry = ctx.args.value("--warn-token-expiry");
  auto crit_expiry = ctx.args.value("--crit-token-expiry");
  auto refuse = [&](const Failure& f) { return nagios.on ? nagios.unknown(ctx, f) : ctx.report(f); };
  if (auto r = ctx.args.finish(); !r) return refuse(r.failure());
  if ((warn_expiry || crit_expiry) && !nagios.on)
    return ctx.report(fail("usage", "--warn-token-expiry and --crit-token-expiry go with --nagios"));
  if (nagios.on) {
    if (ctx.json) {
      ctx.json = false;
      return refuse(fail("usage", "--nagios and --json are two different outputs: choose one"));
    }
    if (warn_expiry) {
      auto r = monitoring::parse_range(*warn_expiry, "--warn-token-expiry");
      if (!r) return refuse(r.failure());
      nagios.thresholds.warn = r.value();
    }
    if (crit_expiry) {
      auto r = monitoring::parse_range(*crit_expiry, "--crit-token-expiry");
      if (!r) return refuse(r.failure());
      nagios.thresholds.crit = r.value();
    }
    if (provider) return refuse(fail("usage", "--nagios checks an account: check NAME --nagios"));
  }
  auto names = ctx.args.positionals();
  if (provider) {
    if (!names.empty() || only || send_test || mechanism)
      return ctx.report(fail("usage", "check --provider takes no account NAME and no other option than --json"));
    return quick_check(ctx, *provider);
  }
  if (names.size() != 1) return refuse(fail("usage", "check needs exactly one NAME (or --provider)"));

  diagnostics::LadderOptions options;
  if (only) {
    auto groups = diagnostics::parse_groups(*only);
    if (!groups) return refuse(groups.failure());
    options.only = groups.value();
  }
  options.send_test = send_test;
  if (mechanism) {
    options.mechanism = mail::sasl::parse_mechanism(*mechanism);
    if (!options.mechanism) return refuse(fail("usage", "--mechanism must be XOAUTH2, OAUTHBEARER, PLAIN or LOGIN"));
  }

  auto opened = open_account(ctx, names[0]);
  if (!opened) return refuse(opened.failure());
  const accounts::Account& a = opened.value().account;
  store::Database& db = *opened.value().db;

  ops::CheckRequest request;
  request.options = options;
  request.transcript = ctx.transcript(a.name);
  request.protect = protect_secret(ctx);
  if (!ctx.json && !nagios.on) {
    ctx.out << "Checking " << a.name << " (" << a.email << "), each step bounded by " << a.timeout_s << " s\n";
    ctx.out.flush();
    request.on_step = [&](const StepResult& s) {
      print_step(ctx.out, s);
      ctx.out.flush();
    };
  }
  auto checked = ops::run_checks(opened.value(), request);
  if (!checked) return refuse(checked.failure());
  const diagnostics::CheckReport& report = checked.value();
  if (!nagios.on) return finish(ctx, report);
  // The token as the checks left it (oauth.token refreshes one about to expire).
  std::optional<tokens::TokenStatus> token;
  if (a.auth == accounts::AuthMethod::oauth2) {
    auto t = tokens::load_status(db, a.name);
    if (!t) return refuse(t.failure());
    token = t.value();
  }
  const auto result = monitoring::evaluate(report, token, nagios.thresholds, std::chrono::system_clock::now());
  ctx.out << ctx.masked(monitoring::format_status_line(result));
  return static_cast<int>(result.state);
}

}  // namespace md::cli
