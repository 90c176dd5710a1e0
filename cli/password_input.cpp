#include "cli/password_input.h"

#include <openssl/crypto.h>

#include <array>
#include <iostream>

#if !defined(_WIN32)
#include <signal.h>
#include <termios.h>
#include <unistd.h>
#endif

#include "admin/password.h"
#include "platform/console.h"

namespace md::cli {
namespace {

// ---- reading a password on a terminal without echo ----

#if defined(_WIN32)
bool stdin_is_terminal() {
  return platform::is_terminal(stdin);
}

// The console's echo off (platform/console.h); Windows does not echo the newline either.
class EchoOff {
 public:
  bool echoes_newline() const { return false; }

 private:
  platform::EchoOff off_;
};
#else
bool stdin_is_terminal() {
  return ::isatty(STDIN_FILENO) == 1;
}

// The terminal settings to put back if a signal ends the program while echo is off.
struct termios g_saved_termios;
volatile sig_atomic_t g_termios_saved = 0;

void restore_terminal_and_reraise(int sig) {
  if (g_termios_saved) ::tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_termios);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

// Turns echo off (keeping the newline echo) for its lifetime; Ctrl-C while typing restores it.
class EchoOff {
 public:
  EchoOff() {
    if (::tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    g_saved_termios = saved_;
    g_termios_saved = 1;
    struct sigaction sa {};
    sa.sa_handler = restore_terminal_and_reraise;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < kSignals.size(); ++i) ::sigaction(kSignals[i], &sa, &old_actions_[i]);
    struct termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    active_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    echoes_newline_ = active_;
  }
  ~EchoOff() {
    if (g_termios_saved == 0) return;
    if (active_) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
    g_termios_saved = 0;
    for (size_t i = 0; i < kSignals.size(); ++i) ::sigaction(kSignals[i], &old_actions_[i], nullptr);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;
  bool echoes_newline() const { return echoes_newline_; }

 private:
  static constexpr std::array<int, 4> kSignals = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
  struct termios saved_ {};
  std::array<struct sigaction, 4> old_actions_{};
  bool active_ = false;
  bool echoes_newline_ = false;
};
#endif

}  // namespace

Result<PasswordInput> PasswordInput::open(CommandContext& ctx, bool from_stdin, std::string_view command) {
  if (from_stdin) return PasswordInput(ctx, false);
  // Prompting needs the process's own terminal (not a stream a test or a caller handed in).
  if (&ctx.in == &std::cin && stdin_is_terminal()) return PasswordInput(ctx, true);
  return fail("usage", "'maildoctor " + std::string(command) +
                           "' reads passwords from a terminal; standard input is not one, so give "
                           "--password-stdin and pass them as lines on standard input");
}

Result<Secret> PasswordInput::existing(const std::string& prompt, const std::string& what) {
  if (!terminal_) return line(what);
  return ask(prompt, what);
}

Result<Secret> PasswordInput::fresh(const std::string& user) {
  if (!terminal_) return line("new password");
  auto first = ask("New password for admin '" + user + "': ", "new password");
  if (!first) return first;
  if (auto rules = admin::check_password_rules(first.value().value); !rules) return rules.failure();
  auto second = ask("Type the new password again: ", "new password");
  if (!second) return second;
  if (first.value().value.size() != second.value().value.size() ||
      CRYPTO_memcmp(first.value().value.data(), second.value().value.data(), first.value().value.size()) != 0)
    return fail("usage", "the two new passwords differ; nothing was changed");
  return std::move(first).value();
}

Result<bool> PasswordInput::confirm(const std::string& question) {
  ctx_->err << question << std::flush;
  std::string answer;
  if (!std::getline(ctx_->in, answer)) {
    if (terminal_) ctx_->err << "\n";
    return false;
  }
  if (!answer.empty() && answer.back() == '\r') answer.pop_back();
  if (!terminal_) ctx_->err << "\n";
  return answer == "yes" || answer == "y" || answer == "YES" || answer == "Yes";
}

Result<Secret> PasswordInput::line(const std::string& what) {
  auto l = ctx_->read_secret_line(what);
  if (!l) return l.failure();
  return Secret(std::move(l).value());
}

Result<Secret> PasswordInput::ask(const std::string& prompt, const std::string& what) {
  ctx_->err << prompt << std::flush;
  Secret s;
  bool got = false;
  bool newline_echoed = false;
  {
    EchoOff quiet;
    got = static_cast<bool>(std::getline(ctx_->in, s.value));
    newline_echoed = quiet.echoes_newline();
  }
  if (!newline_echoed) ctx_->err << "\n";
  if (!got) return fail("usage", "no " + what + " was entered");
  if (!s.value.empty() && s.value.back() == '\r') s.value.pop_back();
  if (s.value.empty()) return fail("usage", "the " + what + " is empty");
  return s;
}

}  // namespace md::cli
