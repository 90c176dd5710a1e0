#include "monitoring/metrics_server.h"

#include <httplib.h>

#include <charconv>
#include <mutex>
#include <thread>

#include "platform/socket.h"

namespace md::monitoring {

bool is_loopback(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1") return true;
  // 127.0.0.0/8, written as four decimal parts.
  if (!host.starts_with("127.")) return false;
  int parts = 0;
  for (size_t begin = 0; begin <= host.size(); ++parts) {
    size_t dot = host.find('.', begin);
    if (dot == std::string_view::npos) dot = host.size();
    std::string_view part = host.substr(begin, dot - begin);
    int v = -1;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || ec != std::errc() || ptr != part.data() + part.size() || v < 0 || v > 255) return false;
    begin = dot + 1;
  }
  return parts == 4;
}

Result<ListenAddress> parse_listen_address(std::string_view text, bool allow_remote) {
  auto bad = [&](const std::string& why) {
    return fail("usage", "--metrics " + std::string(text) + ": " + why + " (e.g. 127.0.0.1:9860)");
  };
  ListenAddress a;
  std::string_view port_text;
  const size_t colon = text.rfind(':');
  if (text.starts_with("[")) {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return bad("an IPv6 address is written [ADDR]:PORT");
    a.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else if (colon == std::string_view::npos) {
    a.host = "127.0.0.1";
    port_text = text;
  } else {
    a.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
    if (a.host.find(':') != std::string::npos) return bad("an IPv6 address is written [ADDR]:PORT");
  }
  if (a.host.empty()) return bad("no address before the port");
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), a.port);
  if (port_text.empty() || ec != std::errc() || ptr != port_text.data() + port_text.size() || a.port < 0 ||
      a.port > 65535)
    return bad("the port must be a number from 0 to 65535");
  if (!allow_remote && !is_loopback(a.host))
    return fail("usage", "--metrics " + std::string(text) +
                             ": that address can be reached from other machines, and the metrics name this "
                             "machine's accounts. Listen on 127.0.0.1 (and let a local Prometheus or a reverse "
                             "proxy reach it), or add --allow-remote to mean it.");
  return a;
}

struct MetricsServer::Impl {
  httplib::Server server;
  std::mutex render_mu;  // one scrape at a time reads the store
  std::thread thread;
};

MetricsServer::MetricsServer(std::unique_ptr<Impl> impl, int port) : impl_(std::move(impl)), port_(port) {}

MetricsServer::~MetricsServer() {
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

Result<std::unique_ptr<MetricsServer>> MetricsServer::start(const ListenAddress& address, Render render) {
  auto impl = std::make_unique<Impl>();
  httplib::Server& svr = impl->server;
  // A scraper that stalls cannot hold a thread for long.
  svr.set_read_timeout(10, 0);
  svr.set_write_timeout(10, 0);
  svr.set_keep_alive_max_count(100);
  // A second serve on the same port is refused, rather than taking half the scrapes.
  svr.set_socket_options([](socket_t sock) { platform::prepare_listening_socket(static_cast<int>(sock)); });
  Impl* raw = impl.get();
  svr.Get("/metrics", [raw, render](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(raw->render_mu);
    auto text = render();
    if (!text) {
      res.status = 500;
      res.set_content("maildoctor: the metrics cannot be read [" + text.failure().code + "]\n", "text/plain");
      return;
    }
    res.set_content(text.value(), "text/plain; version=0.0.4; charset=utf-8");
  });
  svr.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("MailDoctor metrics: /metrics\n", "text/plain; charset=utf-8");
  });
  int port = address.port;
  if (port == 0) {
    port = svr.bind_to_any_port(address.host);
    if (port <= 0) return fail("serve.listen_failed", "cannot listen on " + address.host + " (any port)");
  } else if (!svr.bind_to_port(address.host, port)) {
    return fail("serve.listen_failed", "cannot listen on " + address.host + ":" + std::to_string(port) +
                                           " (the port is taken, or the address is not this machine's)");
  }
  impl->thread = std::thread([raw] { raw->server.listen_after_bind(); });
  return std::unique_ptr<MetricsServer>(new MetricsServer(std::move(impl), port));
}

}  // namespace md::monitoring
