// `serve --metrics ADDR:PORT`: the metrics over HTTP for Prometheus to scrape (GET /metrics), with
// cpp-httplib. Loopback unless remote access is asked for explicitly: the metrics name accounts.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "result.h"

namespace md::monitoring {

struct ListenAddress {
  std::string host;  // as given, without IPv6 brackets
  int port = 0;
};

// 127.0.0.0/8, ::1 and "localhost".
bool is_loopback(std::string_view host);
// "HOST:PORT", "[V6]:PORT", or "PORT" alone (127.0.0.1). A host other than loopback is refused
// (usage) unless `allow_remote`: metrics name the accounts of this machine.
Result<ListenAddress> parse_listen_address(std::string_view text, bool allow_remote);

class MetricsServer {
 public:
  using Render = std::function<Result<std::string>()>;
  // Binds at once (a taken port or a bad address fails here: serve.listen_failed), then answers on
  // its own thread: GET /metrics with `render()` (one scrape at a time), / with a pointer to it,
  // anything else 404. A failed render is a 500 naming its failure code, never a partial exposition.
  static Result<std::unique_ptr<MetricsServer>> start(const ListenAddress& address, Render render);
  ~MetricsServer();  // stops listening and joins its thread
  int port() const { return port_; }

 private:
  struct Impl;
  explicit MetricsServer(std::unique_ptr<Impl> impl, int port);
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace md::monitoring
