// check NAME (the ladder of DESIGN.md) and check --provider gmail|microsoft (the installer's quick
// connectivity test). Human output: one line per step as it finishes, with the failure's code,
// reason, remedy and evidence; --json: exactly the `check --json` document. The last report of an
// account is kept in the settings table under "last_check:<name>" for `status` and `report`.
#include <ostream>

#include "accounts/repository.h"
#include "cli/commands.h"
#include "cli/run.h"
#include "diagnostics/ladder.h"
#include "diagnostics/last_check.h"
#include "diagnostics/quick_check.h"
#include "mail/sasl.h"
#include "vault/vault.h"

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

}  // namespace

int cmd_check(CommandContext& ctx) {
  ctx.json = ctx.args.flag("--json");
  auto provider = ctx.args.value("--provider");
  auto only = ctx.args.value("--only");
  auto send_test = ctx.args.value("--send-test");
  auto mechanism = ctx.args.value("--mechanism");
  if (auto r = ctx.args.finish(); !r) return ctx.report(r.failure());
  auto names = ctx.args.positionals();
  if (provider) {
    if (!names.empty() || only || send_test || mechanism)
      return ctx.report(fail("usage", "check --provider takes no account NAME and no other option than --json"));
    return quick_check(ctx, *provider);
  }
  if (names.size() != 1) return ctx.report(fail("usage", "check needs exactly one NAME (or --provider)"));

  diagnostics::LadderOptions options;
  if (only) {
    auto groups = diagnostics::parse_groups(*only);
    if (!groups) return ctx.report(groups.failure());
    options.only = groups.value();
  }
  options.send_test = send_test;
  if (mechanism) {
    options.mechanism = mail::sasl::parse_mechanism(*mechanism);
    if (!options.mechanism)
      return ctx.report(fail("usage", "--mechanism must be XOAUTH2, OAUTHBEARER, PLAIN or LOGIN"));
  }

  auto db = ctx.database();
  if (!db) return ctx.report(db.failure());
  auto account = accounts::load_account(*db.value(), names[0]);
  if (!account) return ctx.report(account.failure());
  const accounts::Account& a = account.value();
  auto layout = ctx.layout();
  if (!layout) return ctx.report(layout.failure());
  auto vault = vault::Vault::open(layout.value().vault_key());
  if (!vault) return ctx.report(vault.failure());

  diagnostics::LadderInputs in;
  if (a.auth == accounts::AuthMethod::password) {
    auto pw = vault::get_secret(*db.value(), vault.value(), a.name, "password");
    if (!pw) return ctx.report(pw.failure());
    in.password = pw.value();
    if (in.password) ctx.protect_secret(*in.password);
  }
  in.db = db.value();
  in.vault = &vault.value();
  in.protect_secret = [&](std::string_view s) { ctx.protect_secret(s); };
  net::Transcript* transcript = ctx.transcript(a.name);
  in.http_transcript = transcript;
  // The account's log takes every line, each under its own protocol (imap, pop3, smtp).
  if (transcript)
    in.mail_transcript = [transcript](std::string_view proto, protolog::Direction d, std::string_view text) {
      transcript->line(proto, d, text);
    };
  if (!ctx.json) {
    ctx.out << "Checking " << a.name << " (" << a.email << "), each step bounded by " << a.timeout_s << " s\n";
    ctx.out.flush();
    in.on_step = [&](const StepResult& s) {
      print_step(ctx.out, s);
      ctx.out.flush();
    };
  }
  auto report = diagnostics::run_ladder(a, in, options);
  diagnostics::save_last_check(*db.value(), report);
  return finish(ctx, report);
}

}  // namespace md::cli
