#include "platform/console.h"

#if defined(_WIN32)
#include <fcntl.h>
#include <io.h>
#include <windows.h>
#else
#include <termios.h>
#include <unistd.h>

#include <array>
#include <csignal>
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

struct EchoOff::Saved {
  DWORD mode = 0;
};

// Windows does not echo the newline either: echoes_newline_ stays false.
EchoOff::EchoOff() : saved_(std::make_unique<Saved>()) {
  HANDLE h = GetStdHandle(STD_INPUT_HANDLE);
  DWORD mode = 0;
  if (h != INVALID_HANDLE_VALUE && GetConsoleMode(h, &mode)) {
    saved_->mode = mode;
    active_ = SetConsoleMode(h, mode & ~static_cast<DWORD>(ENABLE_ECHO_INPUT)) != 0;
  }
}

EchoOff::~EchoOff() {
  if (active_) SetConsoleMode(GetStdHandle(STD_INPUT_HANDLE), saved_->mode);
}
#else
void prepare_console() {}

bool is_terminal(std::FILE* stream) {
  return ::isatty(::fileno(stream)) == 1;
}

namespace {

// The terminal settings to put back if a signal ends the program while echo is off.
struct termios g_saved_termios;
volatile sig_atomic_t g_termios_saved = 0;

void restore_terminal_and_reraise(int sig) {
  if (g_termios_saved) ::tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_termios);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

constexpr std::array<int, 4> kEndingSignals = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

}  // namespace

struct EchoOff::Saved {
  struct termios termios {};
  std::array<struct sigaction, kEndingSignals.size()> actions{};
};

// Echo off, newline echo kept (ECHONL); Ctrl-C while typing restores the terminal.
EchoOff::EchoOff() : saved_(std::make_unique<Saved>()) {
  if (::tcgetattr(STDIN_FILENO, &saved_->termios) != 0) return;
  g_saved_termios = saved_->termios;
  g_termios_saved = 1;
  struct sigaction sa {};
  sa.sa_handler = restore_terminal_and_reraise;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < kEndingSignals.size(); ++i) ::sigaction(kEndingSignals[i], &sa, &saved_->actions[i]);
  struct termios quiet = saved_->termios;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  quiet.c_lflag |= ECHONL;
  active_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
  echoes_newline_ = active_;
}

EchoOff::~EchoOff() {
  if (g_termios_saved == 0) return;
  if (active_) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_->termios);
  g_termios_saved = 0;
  for (size_t i = 0; i < kEndingSignals.size(); ++i) ::sigaction(kEndingSignals[i], &saved_->actions[i], nullptr);
}
#endif

}  // namespace md::platform
