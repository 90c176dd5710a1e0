// report NAME --out FILE: the support bundle (core/report/support_report.h).
#include <ostream>

#include "accounts/repository.h"
#include "cli/commands.h"
#include "cli/run.h"
#include "report/support_report.h"

namespace md::cli {

int cmd_report(CommandContext& ctx) {
  auto out_path = ctx.args.value("--out");
  if (auto r = ctx.args.finish(); !r) return ctx.report(r.failure());
  auto names = ctx.args.positionals();
  if (names.size() != 1) return ctx.report(fail("usage", "report needs exactly one NAME"));
  if (!out_path || out_path->empty()) return ctx.report(fail("usage", "report needs --out FILE"));
  const std::filesystem::path target(*out_path);
  if (target.filename().empty() || target.filename() == "." || target.filename() == "..")
    return ctx.report(fail("usage", "--out needs a file name, not a folder: " + *out_path));

  auto db = ctx.database();
  if (!db) return ctx.report(db.failure());
  auto loaded = accounts::load_account(*db.value(), names[0]);
  if (!loaded) return ctx.report(loaded.failure());
  auto layout = ctx.layout();
  if (!layout) return ctx.report(layout.failure());
  auto written = report::write_support_report(*db.value(), layout.value(), loaded.value(), target, ctx.redactor());
  if (!written) {
    Failure f = written.failure();
    if (f.code == "report.write_failed") f.detail = "--out " + f.detail;
    return ctx.report(f);
  }
  const report::WrittenReport& w = written.value();
  ctx.out << "Report for '" << loaded.value().name << "' written to " << target.string() << " ("
          << (w.html ? "HTML" : "JSON") << ", " << w.log_lines << " protocol log line(s)); it holds no password, "
          << "token or client secret.\n";
  if (w.tls_verification_off) ctx.out << "WARNING: TLS certificate verification is OFF for this account.\n";
  return kExitOk;
}

}  // namespace md::cli
