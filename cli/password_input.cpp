#include "cli/password_input.h"

#include <openssl/crypto.h>

#include <iostream>

#include "admin/password.h"
#include "platform/console.h"

namespace md::cli {

Result<PasswordInput> PasswordInput::open(CommandContext& ctx, bool from_stdin, std::string_view command) {
  if (from_stdin) return PasswordInput(ctx, false);
  // Prompting needs the process's own terminal (not a stream a test or a caller handed in).
  if (&ctx.in == &std::cin && platform::is_terminal(stdin)) return PasswordInput(ctx, true);
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
    platform::EchoOff quiet;
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
