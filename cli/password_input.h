// Passwords typed by a person or piped by a script, for the commands that ask for them (admin,
// reset-counter): lines on standard input with --password-stdin, else prompts on the terminal with
// echo off (Ctrl-C while typing puts the terminal back). Never echoed, wiped from memory after use.
#pragma once

#include <openssl/crypto.h>

#include <string>
#include <string_view>

#include "cli/context.h"
#include "result.h"

namespace md::cli {

// Wipes a password from memory when it goes out of scope.
struct Secret {
  std::string value;
  Secret() = default;
  explicit Secret(std::string v) : value(std::move(v)) {}
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;
  Secret(Secret&& o) noexcept : value(std::move(o.value)) {}
  Secret& operator=(Secret&& o) noexcept {
    wipe();
    value = std::move(o.value);
    return *this;
  }
  ~Secret() { wipe(); }
  void wipe() {
    if (!value.empty()) OPENSSL_cleanse(value.data(), value.size());
  }
};

class PasswordInput {
 public:
  // Fails with usage when there is neither --password-stdin nor a terminal to prompt on.
  static Result<PasswordInput> open(CommandContext& ctx, bool from_stdin, std::string_view command);
  // A password that exists already (to sign in).
  Result<Secret> existing(const std::string& prompt, const std::string& what);
  // A new password: once from stdin; on a terminal twice, and both must match.
  Result<Secret> fresh(const std::string& user);
  // A yes/no question answered on the terminal, or a line on stdin: true only for "yes" or "y".
  Result<bool> confirm(const std::string& question);
  bool terminal() const { return terminal_; }

 private:
  PasswordInput(CommandContext& ctx, bool terminal) : ctx_(&ctx), terminal_(terminal) {}
  Result<Secret> line(const std::string& what);
  Result<Secret> ask(const std::string& prompt, const std::string& what);

  CommandContext* ctx_;
  bool terminal_;
};

}  // namespace md::cli
