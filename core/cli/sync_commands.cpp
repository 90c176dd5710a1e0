// sync, status, export and reset-counter: the mailbox download and its counter.
#include <ostream>

#include "cli/commands.h"
#include "cli/run.h"

namespace md::cli {

int cmd_sync(CommandContext& ctx) {
  ctx.err << "maildoctor: 'sync' is part of the command-line contract but not available in this build yet.\n";
  return kExitUsage;
}

int cmd_status(CommandContext& ctx) {
  ctx.err << "maildoctor: 'status' is part of the command-line contract but not available in this build yet.\n";
  return kExitUsage;
}

int cmd_reset_counter(CommandContext& ctx) {
  ctx.err << "maildoctor: 'reset-counter' is part of the command-line contract but not available in this build yet.\n";
  return kExitUsage;
}

int cmd_export(CommandContext& ctx) {
  ctx.err << "maildoctor: 'export' is part of the command-line contract but not available in this build yet.\n";
  return kExitUsage;
}

}  // namespace md::cli
