#include "platform/console.h"

#if defined(_WIN32)
#include <fcntl.h>
#include <io.h>
#include <windows.h>
#else
#include <unistd.h>
#endif

namespace md::platform {

#if defined(_WIN32)
void prepare_console() {
  // The window's exe (GUI subsystem) has no standard handles unless they were redirected: when a
  // command was typed in a console, write to that console.
  auto missing = [](DWORD which) {
    HANDLE h = GetStdHandle(which);
    return h == nullptr || h == INVALID_HANDLE_VALUE;
  };
  if (missing(STD_OUTPUT_HANDLE) && missing(STD_ERROR_HANDLE) && AttachConsole(ATTACH_PARENT_PROCESS)) {
    (void)!std::freopen("CONOUT$", "w", stdout);
    (void)!std::freopen("CONOUT$", "w", stderr);
    if (missing(STD_INPUT_HANDLE)) (void)!std::freopen("CONIN$", "r", stdin);
  }
  SetConsoleOutputCP(CP_UTF8);
  SetConsoleCP(CP_UTF8);
  _setmode(_fileno(stdout), _O_BINARY);
}

bool is_terminal(std::FILE* stream) {
  // _isatty is also true for the NUL device: ask the console itself.
  DWORD mode = 0;
  HANDLE h = reinterpret_cast<HANDLE>(_get_osfhandle(_fileno(stream)));
  return h != INVALID_HANDLE_VALUE && GetConsoleMode(h, &mode) != 0;
}

EchoOff::EchoOff() {
  HANDLE h = GetStdHandle(STD_INPUT_HANDLE);
  DWORD mode = 0;
  if (h != INVALID_HANDLE_VALUE && GetConsoleMode(h, &mode)) {
    saved_ = mode;
    active_ = SetConsoleMode(h, mode & ~static_cast<DWORD>(ENABLE_ECHO_INPUT)) != 0;
  }
}

EchoOff::~EchoOff() {
  if (active_) SetConsoleMode(GetStdHandle(STD_INPUT_HANDLE), static_cast<DWORD>(saved_));
}
#else
void prepare_console() {}

bool is_terminal(std::FILE* stream) {
  return ::isatty(::fileno(stream)) == 1;
}

// POSIX echo handling stays in cli/password_input.cpp, which also restores the terminal on a
// signal; this class is the Windows one.
EchoOff::EchoOff() = default;
EchoOff::~EchoOff() = default;
#endif

}  // namespace md::platform
