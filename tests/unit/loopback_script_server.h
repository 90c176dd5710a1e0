// A mail server for tests on a 127.0.0.1 TCP port: it sends a greeting, then answers every line the
// client sends with what `respond` returns for it (nothing when it returns ""), one connection at a
// time, until the client hangs up or `respond` says the conversation is over. Built on the shared
// FakeServer (tests/support): every read is bounded, a client that stalls ends the conversation.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "../support/fake_server.h"

namespace md::test {

class LoopbackScriptServer {
 public:
  struct Reply {
    std::string bytes;   // sent as they are
    bool close = false;  // then end the conversation
  };
  using Responder = std::function<Reply(const std::string& line)>;

  LoopbackScriptServer(std::string greeting, Responder respond)
      : server_([this, greeting = std::move(greeting), respond = std::move(respond)](FakeServer::Peer& peer) {
          if (!greeting.empty() && !peer.send(greeting)) return;
          std::string line;
          while (peer.read_line(line)) {
            {
              std::lock_guard lock(m_);
              lines_.push_back(line);
            }
            Reply r = respond(line);
            if (!r.bytes.empty() && !peer.send(r.bytes)) return;
            if (r.close) return;
          }
        }) {}

  uint16_t port() const { return server_.port(); }
  // Every line the clients sent, in order.
  std::vector<std::string> lines() const {
    std::lock_guard lock(m_);
    return lines_;
  }

 private:
  mutable std::mutex m_;
  std::vector<std::string> lines_;
  FakeServer server_;  // last: its thread stops before the members it uses go
};

}  // namespace md::test
