// The loopback redirect listener (core/oauth/loopback_listener.h) receiving whatever the fuzz
// bytes say as one HTTP request on 127.0.0.1: request line, headers, query parameters (state,
// code, error, iss), all through cpp-httplib and the listener's own bounded reader and handler.
// A listener that got its answer is asked for it (it must be consistent with the page the browser
// saw) and replaced by a fresh one.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "fuzz_support.h"
#include "oauth/loopback_listener.h"

using namespace md;
using namespace md::oauth;

namespace {

constexpr const char* kState = "fuzz-state-0123456789abcdef";
constexpr const char* kIssuer = "https://accounts.google.com";

std::unique_ptr<LoopbackListener>& listener() {
  static std::unique_ptr<LoopbackListener> l;
  if (!l) {
    auto started = LoopbackListener::start(kState, kIssuer);
    if (!started) std::abort();  // the harness, not the input
    l = std::move(started).value();
  }
  return l;
}

// libFuzzer's -timeout alarm (SIGALRM every timeout/2 + 1 s, its handler installed without
// SA_RESTART) lands on this thread, mostly while it waits below for the listener: a blocking call
// then fails with EINTR although the listener did nothing wrong. Every call here carries on after
// a signal; only a wait that really lasts kPatience is the listener's fault.
constexpr auto kPatience = std::chrono::seconds(15);

bool wait_until(int s, short events, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) return false;
    pollfd p{s, events, 0};
    int rc = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 60000)));
    if (rc > 0) return true;
    if (rc < 0 && errno != EINTR) std::abort();  // the harness, not the input
  }
}

void connect_to(int s, int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return;
  if (errno != EINTR) std::abort();
  // An interrupted connect goes on in the background: its outcome is the socket's error.
  if (!wait_until(s, POLLOUT, std::chrono::steady_clock::now() + kPatience)) std::abort();
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) std::abort();
}

// Sends the request, ends the sending side, reads the answer to its end. Empty when the server
// closed without answering. A server that neither answers nor closes hangs the browser: abort.
std::string exchange(int port, std::string_view request) {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) std::abort();
  connect_to(s, port);
  while (!request.empty()) {
    ssize_t n = ::send(s, request.data(), request.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the server refused the rest (413) and closed
    request.remove_prefix(static_cast<size_t>(n));
  }
  ::shutdown(s, SHUT_WR);
  std::string answer;
  char buf[8192];
  for (;;) {
    if (!wait_until(s, POLLIN, std::chrono::steady_clock::now() + kPatience)) {
      std::fprintf(stderr, "the listener neither answered nor closed within 15 s\n");
      std::abort();
    }
    ssize_t n = ::recv(s, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    answer.append(buf, static_cast<size_t>(n));
  }
  ::close(s);
  return answer;
}

int status_of(const std::string& answer) {
  if (!answer.starts_with("HTTP/1.1 ") || answer.size() < 12) return 0;
  return std::atoi(answer.substr(9, 3).c_str());
}

size_t count(std::string_view hay, std::string_view needle) {
  size_t n = 0;
  for (size_t pos = hay.find(needle); pos != std::string_view::npos; pos = hay.find(needle, pos + 1)) ++n;
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto& l = listener();
  const std::string answer = exchange(l->port(), fuzz::as_text(data, size));
  const int status = status_of(answer);
  // Everything the page echoes is escaped: the only script is our own window.close().
  if (count(answer, "<script") > 1) std::abort();
  // A 409 means an earlier input ended the sign-in unnoticed: start over.
  if (status == 409) {
    l.reset();
    return 0;
  }
  // Only the listener's own answer pages can end the sign-in (httplib answers malformed requests
  // itself), and of those not the wrong-state page. The code is matched inside its <code> element,
  // which echoed text cannot fake: it is escaped.
  bool signed_in = answer.find("<title>MailDoctor: signed in</title>") != std::string::npos;
  bool failed = answer.find("<title>MailDoctor: sign-in failed</title>") != std::string::npos &&
                answer.find("Error code: <code>oauth.state_mismatch</code>") == std::string::npos;
  if (!signed_in && !failed) return 0;
  auto outcome = l->wait(std::chrono::milliseconds(1));
  // The page said "signed in" exactly when the sign-in got a code.
  if (signed_in != outcome.ok() || signed_in != (status == 200)) std::abort();
  if (outcome && outcome.value().code.empty()) std::abort();
  l.reset();
  return 0;
}
