// The console: UTF-8 in and out, binary stdout (for --json and export: no CRLF translation on
// Windows), whether a stream is a terminal (progress is drawn only there), and echo off for
// password entry.
#pragma once

#include <cstdio>
#include <memory>

namespace md::platform {

// Once at start-up of a command: UTF-8 console code pages on Windows (nothing elsewhere), and
// stdout in binary mode.
void prepare_console();
bool is_terminal(std::FILE* stream);

// Turns the terminal's echo off on stdin while alive; restores it on destruction. On POSIX the
// newline still echoes, and a signal that ends the program meanwhile (Ctrl-C) restores the terminal.
class EchoOff {
 public:
  EchoOff();
  ~EchoOff();
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;
  bool active() const { return active_; }
  // False where the caller must write the newline itself (Windows, or echo could not be changed).
  bool echoes_newline() const { return echoes_newline_; }

 private:
  struct Saved;  // the terminal's settings and signal handlers (POSIX), the console mode (Windows)
  std::unique_ptr<Saved> saved_;
  bool active_ = false;
  bool echoes_newline_ = false;
};

}  // namespace md::platform
