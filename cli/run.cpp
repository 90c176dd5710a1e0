#include "cli/run.h"

#include <ostream>
#include <string_view>

#include "cli/commands.h"
#include "cli/usage.h"

namespace md::cli {
namespace {

struct CommandEntry {
  std::string_view name;  // one or two words, as typed
  int (*run)(CommandContext&);
};

constexpr CommandEntry kCommands[] = {
    {"account add", cmd_account_add},
    {"account list", cmd_account_list},
    {"account show", cmd_account_show},
    {"account edit", cmd_account_edit},
    {"account remove", cmd_account_remove},
    {"auth", cmd_auth},
    {"token", cmd_token},
    {"admin add", cmd_admin_add},
    {"admin passwd", cmd_admin_passwd},
    {"admin remove", cmd_admin_remove},
    {"admin list", cmd_admin_list},
    {"check", cmd_check},
    {"sync", cmd_sync},
    {"status", cmd_status},
    {"reset-counter", cmd_reset_counter},
    {"export", cmd_export},
    {"log", cmd_log},
    {"report", cmd_report},
    {"metrics", cmd_metrics},
    {"serve", cmd_serve},
};

}  // namespace

int run_command(const GlobalArgs& args, std::istream& in, std::ostream& out, std::ostream& err) {
  const std::vector<std::string>& words = args.command;
  // Two-word commands first ("account add"), then one-word ones ("sync").
  for (size_t n : {2u, 1u}) {
    if (words.size() < n) continue;
    std::string name = words[0];
    if (n == 2) name += " " + words[1];
    for (const CommandEntry& c : kCommands) {
      if (c.name != name) continue;
      CommandContext ctx(args, std::vector<std::string>(words.begin() + static_cast<long>(n), words.end()), in, out,
                         err);
      return c.run(ctx);
    }
  }
  const std::string& first = words.front();
  for (const CommandUsage& c : command_usage()) {
    if (c.name == first || c.name.starts_with(first + " ")) {
      err << "maildoctor: '" << first << (words.size() > 1 ? " " + words[1] : std::string())
          << "' is part of the command-line contract but not available in this build yet (see maildoctor --help).\n";
      return kExitUsage;
    }
  }
  err << "maildoctor: unknown command '" << first << "' (see maildoctor --help)\n";
  return kExitUsage;
}

}  // namespace md::cli
