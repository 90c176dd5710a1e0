// What the fuzz targets share: the fuzz bytes as text, split into protocol lines, or as the whole
// of what a server sends on a connection. Everything stays inside the process (a socketpair).
#pragma once

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "mail/connection.h"
#include "protolog/redactor.h"
#include "result.h"

namespace md::fuzz {

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// LF-terminated lines with a CR before the LF dropped, as the mail protocols read them; the last
// piece counts as a line even without its LF.
inline std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
  }
  return out;
}

// The credentials the session targets sign in with, registered with the redactor below.
inline constexpr std::string_view kUser = "alice@example.com";
inline constexpr std::string_view kSecret = "ya29.fuzz-secret-token-1234567890";

// Every line a connection logs goes through redaction, as in the app; whatever the server sends
// around it, the secret must never come out in a log line.
inline void log_line(protolog::Direction direction, std::string_view text) {
  static const protolog::Redactor* redactor = [] {
    auto* r = new protolog::Redactor;
    r->add_secret(kSecret);
    return r;
  }();
  std::string shown = redactor->redact(text, direction);
  if (shown.find(kSecret) != std::string::npos) std::abort();
}

// A connection whose server has already sent `script` and then stopped sending: the client under
// test reads the script and then sees the connection end, so no step can wait for more. What the
// client writes piles up unread on the server's side; the script is cut at kMaxScript so that the
// client's answers (a few bytes per server line at most) always fit in the socket's buffer and a
// write never waits either.
class ScriptedServer {
 public:
  static constexpr size_t kMaxScript = 32 * 1024;

  explicit ScriptedServer(std::string_view script) {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) std::abort();  // the harness, not the input
    client_ = fds[0];
    server_ = fds[1];
    script = script.substr(0, kMaxScript);
    while (!script.empty()) {
      ssize_t n = ::send(server_, script.data(), script.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n <= 0) break;
      script.remove_prefix(static_cast<size_t>(n));
    }
    ::shutdown(server_, SHUT_WR);
  }
  ~ScriptedServer() {
    if (client_ >= 0) ::close(client_);
    ::close(server_);
  }
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  // The client's end, once. A short timeout: every read ends at once anyway (data or the end).
  mail::Connection connection() {
    mail::Connection c = mail::Connection::adopt(client_);
    client_ = -1;
    c.set_timeout(std::chrono::milliseconds(2000));
    c.set_transcript(log_line);
    return c;
  }

 private:
  int client_ = -1;
  int server_ = -1;
};

// A failure's detail goes on one line of the window, a log and a report: the untrusted text in it
// must have been made printable.
inline void check_one_line(const Failure& f) {
  for (char c : f.detail)
    if (c == '\r' || c == '\n' || c == '\0') std::abort();
}

}  // namespace md::fuzz
