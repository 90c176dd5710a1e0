// The console: UTF-8 in and out, binary stdout (for --json and export: no CRLF translation on
// Windows), whether a stream is a terminal (progress is drawn only there), and echo off for
// password entry.
#pragma once

#include <cstdio>

namespace md::platform {

// Once at start-up of a command: UTF-8 console code pages on Windows (nothing elsewhere), and
// stdout in binary mode.
void prepare_console();
bool is_terminal(std::FILE* stream);

// Turns the terminal's echo off on stdin while alive; restores it on destruction.
class EchoOff {
 public:
  EchoOff();
  ~EchoOff();
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;
  bool active() const { return active_; }

 private:
  bool active_ = false;
  unsigned long saved_ = 0;  // the console mode (Windows)
};

}  // namespace md::platform
