#include "platform/process.h"

#include <cerrno>
#include <cstring>
#include <thread>

#if defined(_WIN32)
#include <windows.h>
// after windows.h
#include <shellapi.h>

#include "platform/text.h"
#else
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
extern char** environ;
#endif

namespace md::platform {

std::string quote_windows_argument(const std::string& arg) {
  if (!arg.empty() && arg.find_first_of(" \t\n\v\"") == std::string::npos) return arg;
  std::string out = "\"";
  size_t backslashes = 0;
  for (char c : arg) {
    if (c == '\\') {
      ++backslashes;
      continue;
    }
    // Backslashes before a quote are doubled, and the quote escaped; elsewhere they are literal.
    out.append(c == '"' ? backslashes * 2 + 1 : backslashes, '\\');
    backslashes = 0;
    out.push_back(c);
  }
  out.append(backslashes * 2, '\\');  // before the closing quote
  out.push_back('"');
  return out;
}

#if defined(_WIN32)
Result<void> spawn_detached(const std::vector<std::string>& argv) {
  if (argv.empty()) return fail("process.failed", "No command to run.");
  std::string line;
  for (const auto& a : argv) line += (line.empty() ? "" : " ") + quote_windows_argument(a);
  std::wstring wide = widen(line);
  STARTUPINFOW si{};
  si.cb = sizeof si;
  PROCESS_INFORMATION pi{};
  if (!CreateProcessW(nullptr, wide.data(), nullptr, nullptr, FALSE, DETACHED_PROCESS, nullptr, nullptr, &si, &pi))
    return fail("process.failed", system_error_text(GetLastError()));
  CloseHandle(pi.hThread);
  CloseHandle(pi.hProcess);
  return {};
}

Result<void> open_url_with_default(const std::string& url) {
  std::wstring wide = widen(url);
  auto rc = reinterpret_cast<INT_PTR>(ShellExecuteW(nullptr, L"open", wide.c_str(), nullptr, nullptr, SW_SHOWNORMAL));
  if (rc <= 32)
    return fail("process.failed",
                "Windows could not open the default browser (ShellExecute " + std::to_string(rc) + ").");
  return {};
}
#else
Result<void> spawn_detached(const std::vector<std::string>& argv) {
  if (argv.empty()) return fail("process.failed", "No command to run.");
  std::vector<char*> args;
  std::vector<std::string> copy = argv;
  for (auto& a : copy) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  // glibc's posix_spawnp reports a program that cannot be executed (ENOENT, EACCES) as its result.
  int rc = posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ);
  if (rc != 0) return fail("process.failed", std::strerror(rc));
  // Reap it whenever it exits (xdg-open returns at once, a browser may run for hours) without
  // making anyone wait; waiting on this pid only never steals another child's status.
  std::thread([pid] {
    int status = 0;
    while (waitpid(pid, &status, 0) == -1 && errno == EINTR) {
    }
  }).detach();
  return {};
}

Result<void> open_url_with_default(const std::string&) {
  return fail("process.failed", "No browser command to run.");
}
#endif

}  // namespace md::platform
