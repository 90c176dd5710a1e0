// report NAME --out FILE: the support bundle.
#include <ostream>

#include "cli/commands.h"
#include "cli/run.h"

namespace md::cli {

int cmd_report(CommandContext& ctx) {
  ctx.err << "maildoctor: 'report' is part of the command-line contract but not available in this build yet.\n";
  return kExitUsage;
}

}  // namespace md::cli
