// A mail server for tests on a 127.0.0.1 TCP port: it sends a greeting, then answers every line the
// client sends with what `respond` returns for it (nothing when it returns ""), one connection at a
// time, until the client hangs up or `respond` says the conversation is over. Every read is
// bounded by poll (5 s): a client that stalls ends the conversation, never the test.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace md::test {

class LoopbackScriptServer {
 public:
  struct Reply {
    std::string bytes;   // sent as they are
    bool close = false;  // then end the conversation
  };
  using Responder = std::function<Reply(const std::string& line)>;

  LoopbackScriptServer(std::string greeting, Responder respond)
      : greeting_(std::move(greeting)), respond_(std::move(respond)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(listen_fd_ >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(listen_fd_, 4) == 0);
    socklen_t len = sizeof a;
    REQUIRE(::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~LoopbackScriptServer() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }
  LoopbackScriptServer(const LoopbackScriptServer&) = delete;
  LoopbackScriptServer& operator=(const LoopbackScriptServer&) = delete;

  uint16_t port() const { return port_; }
  // Every line the clients sent, in order.
  std::vector<std::string> lines() const {
    std::lock_guard lock(m_);
    return lines_;
  }

 private:
  bool readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    for (int waited = 0; waited < 5000 && !stop_; waited += 50)
      if (::poll(&p, 1, 50) > 0) return true;
    return false;
  }
  void serve() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      converse(fd);
      ::close(fd);
    }
  }
  void converse(int fd) {
    if (!greeting_.empty()) send_all(fd, greeting_);
    std::string buffer;
    for (;;) {
      size_t nl;
      while ((nl = buffer.find("\r\n")) == std::string::npos) {
        if (!readable(fd)) return;
        char chunk[4096];
        ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) return;
        buffer.append(chunk, static_cast<size_t>(n));
      }
      std::string line = buffer.substr(0, nl);
      buffer.erase(0, nl + 2);
      {
        std::lock_guard lock(m_);
        lines_.push_back(line);
      }
      Reply r = respond_(line);
      if (!r.bytes.empty()) send_all(fd, r.bytes);
      if (r.close) return;
    }
  }
  static void send_all(int fd, const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }

  std::string greeting_;
  Responder respond_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex m_;
  std::vector<std::string> lines_;
};

}  // namespace md::test
