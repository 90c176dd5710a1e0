// The one fake server of the tests, on Linux and Windows alike: a listener on a 127.0.0.1 TCP port
// (an ephemeral one), whose thread accepts connections one at a time and hands each to `handle`,
// until the object is destroyed. Every wait is bounded (poll, 50 ms slices, 5 s per read): a
// client that stalls ends a conversation, never the test.
//
// The handler talks through a FakeServer::Peer: send(), read_line(), read_some(), drain().
// Scripts are the usual case: FakeServer::script({{'S', "* OK ready\r\n"}, {'C', "A1 ..."}, ...}).
//
// Its pieces serve the tests that drive both ends themselves: Listener (listens; accepts only when
// asked, so it also plays a server that never answers), closed_port() (nothing listens there),
// connect_to() (a client socket), and Peer over any connected socket.
#pragma once

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "platform/socket.h"

namespace md::test {

// A TCP socket listening on 127.0.0.1 at a port the system chose. It never accepts by itself: the
// system completes handshakes into its queue (up to `backlog`) and nobody answers them.
class Listener {
 public:
  explicit Listener(int backlog = 8) {
    fd_ = platform::open_tcp_socket(AF_INET);
    REQUIRE(fd_ >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd_, backlog) == 0);
    platform::socklen len = sizeof a;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port_ = ntohs(a.sin_port);
  }
  ~Listener() { close(); }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  int fd() const { return fd_; }
  uint16_t port() const { return port_; }
  // The next connection (non-blocking), or -1 when none came within `timeout_ms`.
  int accept(int timeout_ms = 5000) const {
    if (fd_ < 0 || platform::poll_socket(fd_, POLLIN, timeout_ms) <= 0) return -1;
    int fd = static_cast<int>(::accept(fd_, nullptr, nullptr));
    if (fd >= 0) platform::make_nonblocking(fd);
    return fd;
  }
  void close() {
    platform::close_socket(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// A port on 127.0.0.1 where nothing listens (it was bound a moment ago, then released): a
// connection there is refused.
inline uint16_t closed_port() {
  Listener gone;
  return gone.port();
}

// A client socket connected to 127.0.0.1:port (non-blocking), or -1 after 5 s.
inline int connect_to(uint16_t port) {
  int fd = platform::open_tcp_socket(AF_INET);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 &&
      !(platform::connect_in_progress(platform::socket_error()) && platform::poll_socket(fd, POLLOUT, 5000) > 0 &&
        platform::connect_result(fd) == 0)) {
    platform::close_socket(fd);
    return -1;
  }
  return fd;
}

class FakeServer {
 public:
  class Peer {
   public:
    // `stop` ends every wait early (a FakeServer being destroyed); a test's own Peer needs none.
    explicit Peer(int fd, const std::atomic<bool>& stop = never_) : fd_(fd), stop_(stop) {}
    int fd() const { return fd_; }
    // All of bytes, in pieces of at most `piece` bytes (to split replies across reads).
    bool send(std::string_view bytes, size_t piece = 0) {
      while (!bytes.empty()) {
        size_t n = piece ? std::min(piece, bytes.size()) : bytes.size();
        if (!wait(POLLOUT)) return false;
        long sent = platform::send_some(fd_, bytes.data(), n);
        if (sent <= 0) {
          if (sent < 0 && platform::would_block(platform::socket_error())) continue;
          return false;
        }
        bytes.remove_prefix(static_cast<size_t>(sent));
      }
      return true;
    }
    // One line without its CRLF; false when the client hung up or 5 s passed without one.
    bool read_line(std::string& line) {
      for (;;) {
        if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
          line = buffer_.substr(0, nl > 0 && buffer_[nl - 1] == '\r' ? nl - 1 : nl);
          buffer_.erase(0, nl + 1);
          return true;
        }
        if (!read_some()) return false;
      }
    }
    // Whatever comes next (appended to the buffer read_line uses); false on end or timeout.
    bool read_some() {
      if (!wait(POLLIN)) return false;
      char chunk[4096];
      long n = platform::recv_some(fd_, chunk, sizeof chunk);
      if (n <= 0) return false;
      buffer_.append(chunk, static_cast<size_t>(n));
      return true;
    }
    // Reads until the client hangs up (or 5 s of silence).
    void drain() {
      while (read_some()) buffer_.clear();
    }
    std::string& buffer() { return buffer_; }

   private:
    bool wait(short events) {
      for (int waited = 0; waited < 5000 && !stop_; waited += 50)
        if (platform::poll_socket(fd_, events, 50) > 0) return true;
      return false;
    }
    static inline const std::atomic<bool> never_{false};
    int fd_;
    const std::atomic<bool>& stop_;
    std::string buffer_;
  };
  using Handler = std::function<void(Peer&)>;

  explicit FakeServer(Handler handle) : handle_(std::move(handle)) {
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeServer() {
    stop_ = true;
    thread_.join();
  }
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  uint16_t port() const { return listener_.port(); }
  // How many connections were accepted so far.
  int accepted() const { return accepted_; }

  // A conversation as data: 'S' sends the text (in pieces of `piece` bytes when non-zero), 'C'
  // reads one line from the client and records it (the text is what the test expects there).
  struct Step {
    char who;
    std::string text;
  };
  static Handler script(std::vector<Step> steps, size_t piece = 0, std::vector<std::string>* received = nullptr,
                        std::mutex* received_mu = nullptr) {
    return [steps = std::move(steps), piece, received, received_mu](Peer& peer) {
      for (const Step& s : steps) {
        if (s.who == 'S') {
          if (!peer.send(s.text, piece)) return;
        } else {
          std::string line;
          if (!peer.read_line(line)) return;
          if (received) {
            std::lock_guard lock(*received_mu);
            received->push_back(line);
          }
        }
      }
      peer.drain();
    };
  }

 private:
  void serve() {
    while (!stop_) {
      int fd = listener_.accept(50);
      if (fd < 0) continue;
      ++accepted_;
      Peer peer(fd, stop_);
      handle_(peer);
      platform::close_socket(fd);
    }
  }

  Handler handle_;
  Listener listener_;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

}  // namespace md::test
