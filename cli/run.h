// Runs one CLI command (everything after the global options) and returns the exit code of
// DESIGN.md: 0 success, 1 a check failed or the operation was refused, 2 usage or configuration.
#pragma once

#include <iosfwd>

#include "cli/args.h"

namespace md::cli {

enum ExitCode : int { kExitOk = 0, kExitFailed = 1, kExitUsage = 2 };

int run_command(const GlobalArgs& args, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace md::cli
