// Opening the sign-in page in the user's browser: which command (--browser, MAILDOCTOR_BROWSER,
// BROWSER, the platform's opener), how its string is split into arguments, and starting it with
// the URL as the last argument — directly, never through a shell, so nothing in a URL or a setting
// can inject a command. The launched program is not waited for.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "datadir.h"
#include "result.h"

namespace md::oauth {

struct BrowserCommand {
  std::vector<std::string> argv;  // program first; empty on Windows' ShellExecute default
  std::string source;             // "--browser", "MAILDOCTOR_BROWSER", "BROWSER", "platform"
};

// Splits on spaces and tabs; 'single' and "double" quotes group (no escapes inside single quotes;
// \" and \\ inside double quotes; a backslash outside quotes escapes the next character). An
// unterminated quote → "accounts.invalid". Empty words from "" are kept.
Result<std::vector<std::string>> split_command(std::string_view command);

// The first non-empty of: `flag`, MAILDOCTOR_BROWSER, BROWSER (its first ':'-separated entry, the
// convention of that variable), then xdg-open (Linux), open (macOS), ShellExecute (Windows).
Result<BrowserCommand> choose_browser(const std::optional<std::string>& flag, const EnvLookup& env,
                                      Platform platform = current_platform());

// The argv that will run: the command's words with the URL appended as the last argument (a word
// that is exactly "%s", the old BROWSER placeholder, is dropped: the URL still goes last).
std::vector<std::string> browser_argv(const BrowserCommand& cmd, const std::string& url);

// Starts the browser (posix_spawnp, no shell) and returns without waiting; the child is reaped in
// the background. A program that cannot be started → "oauth.browser_failed"; the caller still
// shows the URL so it can be pasted by hand.
Result<void> launch_browser(const BrowserCommand& cmd, const std::string& url);

}  // namespace md::oauth
