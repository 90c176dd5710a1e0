#include "oauth/loopback_listener.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include "oauth/errors.h"
#include "oauth/pkce.h"
#include "platform/socket.h"

namespace md::oauth {
namespace {

using Clock = std::chrono::steady_clock;

// A redirect is one short GET; browsers add a dozen headers. Anything bigger is refused after this
// many bytes were read, so a local process cannot make us buffer megabytes.
constexpr size_t kMaxRequestBytes = 64 * 1024;
// A stalled or dribbling client is cut off: per read, and for the whole request head.
constexpr auto kIdleLimit = std::chrono::seconds(3);
constexpr auto kRequestLimit = std::chrono::seconds(8);
// After refusing, read and discard what the client is still sending for a moment, so that it sees
// our answer instead of a connection reset ("lingering close").
constexpr auto kLingerLimit = std::chrono::seconds(1);
constexpr size_t kLingerBytes = size_t{32} << 20;
constexpr unsigned kWorkers = 4;

// httplib's socket_t is a SOCKET on Windows; platform/socket.h keeps sockets in an int everywhere.
int fd_of(socket_t s) {
  return static_cast<int>(s);
}

const char kTooLarge[] =
    "HTTP/1.1 413 Payload Too Large\r\nContent-Type: text/plain\r\nContent-Length: 18\r\nConnection: close\r\n\r\n"
    "Request too large\n";

// httplib reads a request through this instead of its own socket stream: a buffered reader with a
// hard cap on the bytes taken from the socket and deadlines that also give way to stop().
class BoundedStream final : public httplib::Stream {
 public:
  BoundedStream(socket_t sock, const std::atomic<bool>& stopping)
      : sock_(sock), stopping_(stopping), deadline_(Clock::now() + kRequestLimit) {}

  bool refused() const { return refused_; }

  bool is_readable() const override { return pos_ < len_ || wait_for(POLLIN); }
  bool is_writable() const override { return wait_for(POLLOUT); }

  ssize_t read(char* ptr, size_t size) override {
    if (pos_ == len_) {
      if (refused_) return -1;
      if (received_ >= kMaxRequestBytes) {
        refuse();
        return -1;
      }
      if (!wait_for(POLLIN)) return -1;
      size_t want = std::min(sizeof(buf_), kMaxRequestBytes - received_);
      long n = platform::recv_some(fd_of(sock_), buf_, want);
      if (n <= 0) return n == 0 ? 0 : -1;
      received_ += static_cast<size_t>(n);
      pos_ = 0;
      len_ = static_cast<size_t>(n);
    }
    size_t take = std::min(size, len_ - pos_);
    std::memcpy(ptr, buf_ + pos_, take);
    pos_ += take;
    return static_cast<ssize_t>(take);
  }

  using httplib::Stream::write;
  ssize_t write(const char* ptr, size_t size) override {
    if (!wait_for(POLLOUT)) return -1;
    return platform::send_some(fd_of(sock_), ptr, size);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override { address(true, ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { address(false, ip, port); }
  socket_t socket() const override { return sock_; }

 private:
  // Waits for the socket in short slices so that stop() is noticed; false on a deadline or stop.
  bool wait_for(short events) const {
    auto idle_until = std::min(Clock::now() + kIdleLimit, deadline_);
    while (!stopping_) {
      auto now = Clock::now();
      if (now >= idle_until) return false;
      int ms = static_cast<int>(
          std::min<long long>(50, std::chrono::duration_cast<std::chrono::milliseconds>(idle_until - now).count() + 1));
      int rc = platform::poll_socket(fd_of(sock_), events, ms);
      if (rc > 0) return true;
      if (rc < 0) return false;  // poll_socket retries EINTR itself
    }
    return false;
  }

  void refuse() {
    refused_ = true;
    const char* p = kTooLarge;
    size_t left = sizeof(kTooLarge) - 1;
    while (left > 0 && wait_for(POLLOUT)) {
      long n = platform::send_some(fd_of(sock_), p, left);
      if (n <= 0) break;
      p += n;
      left -= static_cast<size_t>(n);
    }
  }

  void address(bool peer, std::string& ip, int& port) const {
    sockaddr_in addr{};
    platform::socklen len = sizeof(addr);
    int rc = peer ? getpeername(sock_, reinterpret_cast<sockaddr*>(&addr), &len)
                  : getsockname(sock_, reinterpret_cast<sockaddr*>(&addr), &len);
    if (rc != 0 || addr.sin_family != AF_INET) return;
    char text[INET_ADDRSTRLEN] = {0};
    if (inet_ntop(AF_INET, &addr.sin_addr, text, sizeof(text)) != nullptr) ip = text;
    port = ntohs(addr.sin_port);
  }

  socket_t sock_;
  const std::atomic<bool>& stopping_;
  Clock::time_point deadline_;
  char buf_[4096];
  size_t pos_ = 0, len_ = 0, received_ = 0;
  bool refused_ = false;
};

}  // namespace

// One request per connection, read through BoundedStream, then a lingering close. Named, not in the
// anonymous namespace: LoopbackListener::Impl holds one.
namespace detail {
class BoundedServer final : public httplib::Server {
 public:
  std::atomic<bool> stopping{false};

 private:
  bool process_and_close_socket(socket_t sock) override {
    bool ok = false;
    {
      BoundedStream stream(sock, stopping);
      bool connection_closed = false;
      ok = process_request(stream, /*close_connection=*/true, connection_closed, nullptr);
    }
    linger_and_close(sock);
    return ok;
  }

  void linger_and_close(socket_t sock) {
    platform::shutdown_send(fd_of(sock));
    char sink[8192];
    size_t drained = 0;
    auto until = Clock::now() + kLingerLimit;
    while (!stopping && drained < kLingerBytes && Clock::now() < until) {
      if (platform::poll_socket(fd_of(sock), POLLIN, 50) <= 0) continue;
      long n = platform::recv_some(fd_of(sock), sink, sizeof(sink));
      if (n <= 0) break;
      drained += static_cast<size_t>(n);
    }
    platform::close_socket(fd_of(sock));
  }
};
}  // namespace detail

namespace {

std::string page(std::string_view title, std::string_view heading, std::string_view body_html, bool close_script) {
  std::string html =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width\"><title>" +
      html_escape(title) +
      "</title><style>body{font-family:system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em;"
      "line-height:1.4}code{background:#eee;padding:0 .2em}</style></head><body><h1>" +
      html_escape(heading) + "</h1>" + std::string(body_html);
  if (close_script) html += "<script>window.close();</script>";
  return html + "</body></html>\n";
}

std::string success_page() {
  return page("MailDoctor: signed in", "Signed in. You can close this window.",
              "<p>Return to MailDoctor: it now checks the account.</p>", true);
}

std::string what_to_do(std::string_view code) {
  if (code == "oauth.state_mismatch")
    return "This answer belongs to another (older) sign-in attempt. Close this tab and finish the sign-in in the "
           "newest one, or start the sign-in again in MailDoctor.";
  if (code == "oauth.access_denied")
    return "Access was not granted. Start the sign-in again in MailDoctor and allow access to the mailbox.";
  if (code == "oauth.issuer_mismatch")
    return "The answer came from another sign-in server than the one MailDoctor asked. Start again; if this "
           "repeats, something intercepts the sign-in: report it to IT.";
  if (code == "oauth.bad_redirect") return "The answer carries no sign-in code. Start the sign-in again in MailDoctor.";
  if (code == "oauth.admin_consent_required")
    return "An administrator of your organisation must approve this app first.";
  return "Return to MailDoctor: it shows what went wrong and what to do.";
}

std::string failure_page(const Failure& f) {
  std::string body = "<p>Error code: <code>" + html_escape(f.code) + "</code></p><p>" +
                     html_escape(what_to_do(f.code)) + "</p><p>Details: " + html_escape(f.detail) + "</p>";
  return page("MailDoctor: sign-in failed", "Sign-in failed", body, false);
}

void respond(httplib::Response& res, int status, const std::string& html) {
  res.status = status;
  // The code is in this page's URL: no Referer, no caching; nothing but our inline style and script.
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Content-Security-Policy",
                 "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; base-uri 'none'; "
                 "form-action 'none'");
  res.set_content(html, "text/html; charset=utf-8");
}

}  // namespace

struct LoopbackListener::Impl {
  std::string expected_state;
  std::string expected_issuer;
  detail::BoundedServer server;
  std::thread thread;
  int port = 0;

  std::mutex mu;
  std::condition_variable cv;
  std::optional<Result<AuthorizationCode>> outcome;  // set once: by the right redirect, a timeout or a cancel
  int stale_redirects = 0;                           // wrong-state redirects seen (ignored)
  bool stopped = false;
  // The outcome came from the browser, and (later) the page answering it has been written: stopping
  // the server before that would cut the browser off with an empty response.
  bool outcome_from_browser = false;
  bool answer_written = false;

  void handle(const httplib::Request& req, httplib::Response& res) {
    if (req.method != "GET") {
      res.set_header("Allow", "GET");
      respond(res, 405,
              page("MailDoctor", "Method not allowed", "<p>This address only receives sign-in answers.</p>", false));
      return;
    }
    if (req.path != "/") {
      respond(res, 404, page("MailDoctor", "Not found", "<p>This address only receives sign-in answers.</p>", false));
      return;
    }
    std::lock_guard lock(mu);
    if (outcome) {
      respond(res, 409,
              page("MailDoctor", "This sign-in is already finished",
                   "<p>MailDoctor already received its answer. You can close this window.</p>", false));
      return;
    }
    // RFC 6749 3.1: a parameter sent twice makes the request invalid; its state cannot be trusted.
    bool duplicated = req.get_param_value_count("state") > 1 || req.get_param_value_count("code") > 1 ||
                      req.get_param_value_count("iss") > 1 || req.get_param_value_count("error") > 1;
    if (duplicated || !constant_time_equals(req.get_param_value("state"), expected_state)) {
      ++stale_redirects;
      Failure f = fail("oauth.state_mismatch", req.has_param("state")
                                                   ? "The browser brought an answer for another sign-in attempt."
                                                   : "The browser brought an answer without a state.");
      respond(res, 400, failure_page(f));
      return;
    }
    Result<AuthorizationCode> result = settle(req);
    if (result) {
      respond(res, 200, success_page());
    } else {
      respond(res, 400, failure_page(result.failure()));
    }
    outcome.emplace(std::move(result));
    outcome_from_browser = true;
    cv.notify_all();
  }

  Result<AuthorizationCode> settle(const httplib::Request& req) {
    std::optional<std::string> iss;
    if (req.has_param("iss")) iss = req.get_param_value("iss");
    // RFC 9207: a server that names itself must name the one we asked (mix-up attacks).
    if (iss && !expected_issuer.empty() && *iss != expected_issuer)
      return fail("oauth.issuer_mismatch",
                  "The answer names the issuer \"" + net_excerpt(*iss) + "\", expected \"" + expected_issuer + "\".");
    if (req.has_param("error"))
      return map_authorize_error(req.get_param_value("error"), req.get_param_value("error_description"),
                                 req.get_param_value("error_uri"));
    std::string code = req.get_param_value("code");
    if (code.empty())
      return fail("oauth.bad_redirect",
                  "The browser came back to " + redirect_uri() + " with neither a code nor an error.");
    return AuthorizationCode{std::move(code), std::move(iss)};
  }

  static std::string net_excerpt(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 200)) out += (c >= 0x20 && c < 0x7f) ? c : '.';
    return out;
  }

  std::string redirect_uri() const { return "http://127.0.0.1:" + std::to_string(port) + "/"; }

  void stop() {
    {
      std::lock_guard lock(mu);
      if (stopped) return;
      stopped = true;
    }
    server.stopping = true;
    server.stop();
    if (thread.joinable()) thread.join();
  }
};

LoopbackListener::LoopbackListener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

LoopbackListener::~LoopbackListener() {
  if (impl_) impl_->stop();
}

Result<std::unique_ptr<LoopbackListener>> LoopbackListener::start(std::string expected_state,
                                                                  std::string expected_issuer) {
  auto impl = std::make_unique<Impl>();
  impl->expected_state = std::move(expected_state);
  impl->expected_issuer = std::move(expected_issuer);
  Impl* self = impl.get();
  detail::BoundedServer& svr = impl->server;
  svr.new_task_queue = [] { return new httplib::ThreadPool(kWorkers); };
  svr.set_payload_max_length(kMaxRequestBytes);
  // The port carries the authorization code: no other listener may share it.
  svr.set_socket_options([](socket_t sock) { platform::prepare_listening_socket(fd_of(sock)); });
  // Everything is answered here, before httplib would read a body or look for a route.
  svr.set_pre_routing_handler([self](const httplib::Request& req, httplib::Response& res) {
    self->handle(req, res);
    return httplib::Server::HandlerResponse::Handled;
  });
  // httplib logs a request after its response is written: that is when the browser has its page.
  svr.set_logger([self](const httplib::Request& req, const httplib::Response&) {
    std::lock_guard lock(self->mu);
    if (self->outcome_from_browser && req.path == "/" &&
        constant_time_equals(req.get_param_value("state"), self->expected_state)) {
      self->answer_written = true;
      self->cv.notify_all();
    }
  });
  // Only our own loopback address: RFC 8252 8.3, and nothing on the network can reach it.
  int port = svr.bind_to_any_port("127.0.0.1");
  if (port <= 0)
    return fail("oauth.listener_failed", "Could not listen on any port of 127.0.0.1 for the browser's answer.");
  impl->port = port;
  impl->thread = std::thread([&svr] { svr.listen_after_bind(); });
  // httplib's stop() does nothing until the accept loop runs; wait for it so stop() cannot be lost.
  auto until = Clock::now() + std::chrono::seconds(5);
  while (!svr.is_running() && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (!svr.is_running()) {
    impl->stop();
    return fail("oauth.listener_failed", "The listener on 127.0.0.1:" + std::to_string(port) + " did not start.");
  }
  return std::unique_ptr<LoopbackListener>(new LoopbackListener(std::move(impl)));
}

int LoopbackListener::port() const {
  return impl_->port;
}

std::string LoopbackListener::redirect_uri() const {
  return impl_->redirect_uri();
}

Result<AuthorizationCode> LoopbackListener::wait(std::chrono::milliseconds timeout,
                                                 const std::function<bool()>& cancelled) {
  const auto deadline = Clock::now() + timeout;
  {
    std::unique_lock lock(impl_->mu);
    while (!impl_->outcome) {
      auto now = Clock::now();
      if (cancelled && cancelled()) {
        impl_->outcome.emplace(fail("oauth.cancelled", "The browser sign-in was cancelled."));
        break;
      }
      if (now >= deadline) {
        auto secs = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count());
        if (impl_->stale_redirects > 0) {
          impl_->outcome.emplace(fail("oauth.state_mismatch",
                                      "The browser came back " + std::to_string(impl_->stale_redirects) +
                                          " time(s) with the answer of another sign-in attempt (an old tab?), and no "
                                          "answer for this one arrived within " +
                                          secs + " s."));
        } else {
          impl_->outcome.emplace(fail("oauth.consent_timeout", "The browser did not come back to " +
                                                                   impl_->redirect_uri() + " within " + secs + " s."));
        }
        break;
      }
      impl_->cv.wait_for(lock, std::min<Clock::duration>(deadline - now, std::chrono::milliseconds(100)));
    }
    // Let the success or failure page reach the browser before the server stops (bounded).
    if (impl_->outcome_from_browser)
      impl_->cv.wait_for(lock, std::chrono::seconds(2), [this] { return impl_->answer_written; });
  }
  impl_->stop();
  std::lock_guard lock(impl_->mu);
  return *impl_->outcome;
}

void LoopbackListener::stop() {
  impl_->stop();
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace md::oauth
