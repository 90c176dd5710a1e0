// log NAME [--tail N] [--follow]: the account's protocol log, redacted.
#include <ostream>

#include "cli/commands.h"
#include "cli/run.h"

namespace md::cli {

int cmd_log(CommandContext& ctx) {
  ctx.err << "maildoctor: 'log' is part of the command-line contract but not available in this build yet.\n";
  return kExitUsage;
}

}  // namespace md::cli
