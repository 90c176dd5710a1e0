// metrics [--textfile FILE] and serve [--metrics ADDR:PORT]: MailDoctor's health for the monitoring
// systems a support team already runs (Prometheus directly, or node_exporter's textfile collector),
// and the window's background schedule with no window. Both read the store through core/monitoring.
#include <charconv>
#include <ostream>

#include "cli/commands.h"
#include "cli/run.h"
#include "monitoring/account_metrics.h"
#include "monitoring/metrics_server.h"
#include "monitoring/watcher.h"
#include "platform/stop_signals.h"
#include "report/support_report.h"
#include "store/schema.h"

namespace md::cli {
namespace {

// --check-every / --sync-every: minutes from 0 (never) to a day.
Result<std::optional<int>> minutes_flag(CommandContext& ctx, const std::string& flag) {
  auto v = ctx.args.value(flag);
  if (!v) return std::optional<int>();
  int minutes = -1;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), minutes);
  if (v->empty() || ec != std::errc() || ptr != v->data() + v->size() || minutes < 0 ||
      minutes > kMaxBackgroundIntervalMin)
    return fail("usage", flag + " needs whole minutes from 0 (never) to " + std::to_string(kMaxBackgroundIntervalMin) +
                             ", not '" + *v + "'");
  return std::optional<int>(minutes);
}

}  // namespace

int cmd_metrics(CommandContext& ctx) {
  auto textfile = ctx.args.value("--textfile");
  if (auto r = ctx.args.finish(); !r) return ctx.report(r.failure());
  if (!ctx.args.positionals().empty())
    return ctx.report(fail("usage", "metrics takes no NAME: it covers every account"));
  auto db = ctx.database();
  if (!db) return ctx.report(db.failure());
  auto text = monitoring::exposition(*db.value(), std::chrono::system_clock::now());
  if (!text) return ctx.report(text.failure());
  if (!textfile) {
    ctx.out << text.value();
    return kExitOk;
  }
  // node_exporter reads *.prom files at any moment: a reader sees the old file or the new one whole.
  if (auto w = report::write_file_atomically(*textfile, text.value(), true); !w) return ctx.report(w.failure());
  return kExitOk;
}

int cmd_serve(CommandContext& ctx) {
  auto metrics = ctx.args.value("--metrics");
  const bool allow_remote = ctx.args.flag("--allow-remote");
  auto check_every = minutes_flag(ctx, "--check-every");
  auto sync_every = minutes_flag(ctx, "--sync-every");
  if (auto r = ctx.args.finish(); !r) return ctx.report(r.failure());
  if (!check_every) return ctx.report(check_every.failure());
  if (!sync_every) return ctx.report(sync_every.failure());
  if (!ctx.args.positionals().empty())
    return ctx.report(fail("usage", "serve takes no NAME: it looks after every account"));
  if (allow_remote && !metrics) return ctx.report(fail("usage", "--allow-remote goes with --metrics ADDR:PORT"));
  std::optional<monitoring::ListenAddress> address;
  if (metrics) {
    auto a = monitoring::parse_listen_address(*metrics, allow_remote);
    if (!a) return ctx.report(a.failure());
    address = a.value();
  }
  auto layout = ctx.layout();
  if (!layout) return ctx.report(layout.failure());
  // The store must open now: a data dir that cannot be read is an error at start, not in a log.
  if (auto db = ctx.database(); !db) return ctx.report(db.failure());

  std::optional<BackgroundSchedule> schedule;
  if (check_every.value() || sync_every.value()) {
    schedule = BackgroundSchedule{};  // the window's defaults for the one not given
    if (check_every.value()) schedule->check_every_min = *check_every.value();
    if (sync_every.value()) schedule->sync_every_min = *sync_every.value();
  }

  platform::StopSignals stop(true);  // workers may be in the middle of a network read: let it resume
  std::unique_ptr<monitoring::MetricsServer> server;
  if (address) {
    const DataLayout data = layout.value();
    auto started = monitoring::MetricsServer::start(*address, [data]() -> Result<std::string> {
      // Its own connection per scrape: the watcher's workers write meanwhile (WAL keeps readers apart).
      auto db = store::Database::open(data.database(), store::schema());
      if (!db) return db.failure();
      return monitoring::exposition(db.value(), std::chrono::system_clock::now());
    });
    if (!started) return ctx.report(started.failure());
    server = std::move(started).value();
    const bool v6 = address->host.find(':') != std::string::npos;
    ctx.out << "maildoctor: metrics on http://" << (v6 ? "[" + address->host + "]" : address->host) << ":"
            << server->port() << "/metrics\n";
  }
  ctx.out << "maildoctor: watching the accounts of " << layout.value().root.string()
          << (schedule ? " (checks every " + std::to_string(schedule->check_every_min) + " min, syncs every " +
                             std::to_string(schedule->sync_every_min) + " min; 0: never)"
                       : std::string(" on the window's background schedule"))
          << "; Ctrl-C or SIGTERM stops\n";
  ctx.out.flush();
  {
    monitoring::Watcher watcher(layout.value(), schedule);
    watcher.run([&stop] { return stop.stopped(); });
    ctx.out << "maildoctor: stopping (waiting for running checks and syncs to end)\n";
    ctx.out.flush();
  }
  server.reset();
  ctx.out << "maildoctor: stopped\n";
  return kExitOk;
}

}  // namespace md::cli
