// Starting another program without waiting for it (the browser for signing in).
#pragma once

#include <string>
#include <vector>

#include "result.h"

namespace md::platform {

// Runs argv[0] (looked up in PATH) with the given arguments, detached; the child is reaped when it
// exits. On Windows the command line is built with the quoting CommandLineToArgvW and the C
// runtime undo, so an argument with spaces, quotes or backslashes arrives unchanged.
// Failure: a human sentence (the caller gives it its code).
Result<void> spawn_detached(const std::vector<std::string>& argv);

// Opens a URL with the desktop's default handler (Windows: ShellExecute); false where there is none.
Result<void> open_url_with_default(const std::string& url);

// One argument quoted for a Windows command line (exposed for tests on every platform).
std::string quote_windows_argument(const std::string& arg);

}  // namespace md::platform
