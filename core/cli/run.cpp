#include "cli/run.h"

#include <ostream>

#include "cli/usage.h"

namespace md::cli {

int run_command(const GlobalArgs& args, std::ostream& /*out*/, std::ostream& err) {
  const std::string& name = args.command.front();
  for (const CommandUsage& c : command_usage()) {
    if (c.name == name || c.name.starts_with(name + " ")) {
      err << "maildoctor: '" << name << "' is part of the command-line contract but not available in this build yet.\n";
      return kExitUsage;
    }
  }
  err << "maildoctor: unknown command '" << name << "' (see maildoctor --help)\n";
  return kExitUsage;
}

}  // namespace md::cli
