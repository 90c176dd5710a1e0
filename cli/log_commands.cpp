// log NAME [--tail N] [--follow]: the account's protocol log as it was persisted (redacted at
// capture), with the account's saved secrets masked once more on the way out. --follow polls the
// file (a short bounded sleep) until SIGINT or SIGTERM, and survives truncation and rotation.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <ostream>
#include <thread>

#include "accounts/repository.h"
#include "cli/commands.h"
#include "cli/run.h"
#include "platform/stop_signals.h"
#include "protolog/log_file.h"

namespace md::cli {
namespace {

// How often --follow looks at the file; also the longest a stop signal waits to be noticed.
constexpr auto kPollInterval = std::chrono::milliseconds(200);

Result<std::optional<size_t>> parse_tail(const std::optional<std::string>& text) {
  if (!text) return std::optional<size_t>();
  if (text->empty() || text->find_first_not_of("0123456789") != std::string::npos)
    return fail("usage", "--tail needs a number of lines (0 or more), not '" + *text + "'");
  // More lines than any log holds is simply all of it.
  if (text->size() > 15) return std::optional<size_t>(SIZE_MAX);
  return std::optional<size_t>(std::stoull(*text));
}

}  // namespace

int cmd_log(CommandContext& ctx) {
  auto tail_text = ctx.args.value("--tail");
  const bool follow = ctx.args.flag("--follow");
  if (auto r = ctx.args.finish(); !r) return ctx.report(r.failure());
  auto names = ctx.args.positionals();
  if (names.size() != 1) return ctx.report(fail("usage", "log needs exactly one NAME"));
  auto tail = parse_tail(tail_text);
  if (!tail) return ctx.report(tail.failure());

  auto db = ctx.database();
  if (!db) return ctx.report(db.failure());
  auto account = accounts::load_account(*db.value(), names[0]);
  if (!account) return ctx.report(account.failure());
  auto layout = ctx.layout();
  if (!layout) return ctx.report(layout.failure());
  // The log was redacted at capture; this catches a secret saved after a line was written.
  if (auto r = ctx.protect_account_secrets(*db.value(), account.value().name); !r)
    ctx.err << "maildoctor: note: the account's saved secrets could not be read (" << r.failure().code
            << "); lines are shown as they were redacted at capture.\n";

  const auto file = protolog::log_file_path(layout.value().logs_dir(), account.value().name);
  protolog::LogFollower follower(file);
  const bool present = follower.open_at_tail(tail.value());
  auto print = [&](std::string_view line) { ctx.out << ctx.masked(line) << '\n'; };

  if (!follow) {
    if (!present) return ctx.report(fail("log.missing", "No protocol log yet at " + file.string()));
    follower.poll(print, true);
    ctx.out.flush();
    return kExitOk;
  }

  platform::StopSignals signals;
  if (!present) {
    ctx.err << "maildoctor: no protocol log yet for '" << account.value().name
            << "'; waiting for one (Ctrl-C to stop).\n";
    ctx.err.flush();
  }
  while (!signals.stopped()) {
    switch (follower.poll(print)) {
      case protolog::LogFollower::Event::truncated:
        ctx.err << "maildoctor: the log was truncated; following it from its start.\n";
        break;
      case protolog::LogFollower::Event::replaced:
        ctx.err << "maildoctor: the log was replaced (rotated); following the new file.\n";
        break;
      case protolog::LogFollower::Event::appeared:
      case protolog::LogFollower::Event::none: break;
    }
    ctx.out.flush();
    ctx.err.flush();
    if (!ctx.out) break;  // the reader went away (a closed pipe): nothing left to do
    // Slices keep the wait short even where a signal does not interrupt a sleep.
    for (auto waited = std::chrono::milliseconds(0); waited < kPollInterval && !signals.stopped();
         waited += std::chrono::milliseconds(50))
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // A line whose end never came is still worth showing.
  follower.poll(print, true);
  ctx.out.flush();
  return kExitOk;
}

}  // namespace md::cli
