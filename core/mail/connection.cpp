#include "mail/connection.h"

#include <openssl/err.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>

#include "mail/tls_session.h"
#include "platform/socket.h"

namespace md::mail {

using Clock = std::chrono::steady_clock;
using protolog::Direction;

namespace {

constexpr size_t kReadChunk = 64 * 1024;

std::string endpoint(const Address& a) {
  return a.family == AF_INET6 ? "[" + a.ip + "]:" + std::to_string(a.port) : a.ip + ":" + std::to_string(a.port);
}

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<Milliseconds>(deadline - Clock::now()).count() + 1;
  return static_cast<int>(std::clamp<long long>(left, 0, 24 * 3600 * 1000));
}

// The step's failure for a connect() errno.
Failure connect_failure(int err, const Address& a) {
  std::string where = endpoint(a) + ": " + platform::socket_error_text(err);
  switch (err) {
    case ECONNREFUSED: return fail("tcp.refused", where);
    case ETIMEDOUT: return fail("tcp.timeout", where);
    case EACCES:
    case EPERM: return fail("tcp.unreachable", where + " (a local firewall rule blocks it)");
    default: return fail("tcp.unreachable", where);
  }
}

struct DnsJob {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  int rc = 0;
  int sys_errno = 0;
  std::vector<Address> addresses;
};

void run_getaddrinfo(DnsJob& job, const std::string& host, uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  platform::init_sockets();
  int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &list);
  int sys_errno = errno;
  std::vector<Address> out;
  for (addrinfo* ai = list; rc == 0 && ai; ai = ai->ai_next) {
    if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
    Address a;
    a.family = ai->ai_family;
    a.port = port;
    a.sockaddr.assign(reinterpret_cast<const char*>(ai->ai_addr), ai->ai_addrlen);
    char buf[INET6_ADDRSTRLEN] = {};
    const void* raw = ai->ai_family == AF_INET
                          ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr)
                          : &reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr;
    inet_ntop(ai->ai_family, raw, buf, sizeof buf);
    a.ip = buf;
    bool seen = std::any_of(out.begin(), out.end(), [&](const Address& o) { return o.sockaddr == a.sockaddr; });
    if (!seen) out.push_back(std::move(a));
  }
  if (list) freeaddrinfo(list);
  std::lock_guard lock(job.mu);
  job.rc = rc;
  job.sys_errno = sys_errno;
  job.addresses = std::move(out);
  job.done = true;
  job.cv.notify_all();
}

}  // namespace

std::string describe(Milliseconds d) {
  auto ms = d.count();
  if (ms < 1000) return std::to_string(ms) + " ms";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
  return buf;
}

std::string printable(std::string_view text, size_t max) {
  std::string out(text.substr(0, max));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  if (text.size() > max) out += "...";
  return out;
}

Result<std::vector<Address>> resolve(const std::string& host, uint16_t port, Milliseconds timeout) {
  if (host.empty()) return fail("dns.not_found", "no server name was given");
  auto job = std::make_shared<DnsJob>();
  try {
    std::thread([job, host, port] { run_getaddrinfo(*job, host, port); }).detach();
  } catch (const std::system_error&) {
    run_getaddrinfo(*job, host, port);  // no thread to spare: ask without the bound
  }
  std::unique_lock lock(job->mu);
  if (!job->cv.wait_for(lock, timeout, [&] { return job->done; }))
    return fail("dns.failed", "no DNS answer for " + host + " within " + describe(timeout));
  switch (job->rc) {
    case 0: break;
    case EAI_NONAME: return fail("dns.not_found", host + ": no such name (" + gai_strerror(job->rc) + ")");
#ifdef EAI_NODATA
    case EAI_NODATA: return fail("dns.not_found", host + ": the name has no address (" + gai_strerror(job->rc) + ")");
#endif
#ifdef EAI_ADDRFAMILY
    case EAI_ADDRFAMILY:
      return fail("dns.not_found", host + ": the name has no address (" + gai_strerror(job->rc) + ")");
#endif
#ifdef EAI_SYSTEM
    case EAI_SYSTEM: return fail("dns.failed", host + ": " + std::strerror(job->sys_errno));
#endif
    default: return fail("dns.failed", host + ": " + gai_strerror(job->rc));
  }
  if (job->addresses.empty()) return fail("dns.not_found", host + ": the name has no IPv4 or IPv6 address");
  return std::move(job->addresses);
}

// --- Connection -----------------------------------------------------------------------------------

struct Connection::Tls {
  tls::Session session;
  SSL* ssl() const { return session.ssl.get(); }
};

Connection::Connection() = default;
Connection::Connection(int fd) : fd_(fd) {
  platform::make_nonblocking(fd_);
  peer_.ip = "(adopted socket)";
}
Connection::~Connection() {
  close();
}
Connection::Connection(Connection&& o) noexcept {
  *this = std::move(o);
}
Connection& Connection::operator=(Connection&& o) noexcept {
  if (this == &o) return *this;
  close();
  fd_ = std::exchange(o.fd_, -1);
  peer_ = std::move(o.peer_);
  timeout_ = o.timeout_;
  transcript_ = std::move(o.transcript_);
  tls_ = std::move(o.tls_);
  tls_info_ = std::move(o.tls_info_);
  rbuf_ = std::move(o.rbuf_);
  rpos_ = std::exchange(o.rpos_, 0);
  peer_reset_ = o.peer_reset_;
  return *this;
}

std::string Connection::local_address_literal() const {
  sockaddr_storage ss{};
  platform::socklen len = sizeof ss;
  if (fd_ < 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
  char text[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET &&
      inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&ss)->sin_addr, text, sizeof text))
    return "[" + std::string(text) + "]";
  if (ss.ss_family == AF_INET6 &&
      inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_addr, text, sizeof text))
    return "[IPv6:" + std::string(text) + "]";
  return {};
}

Connection Connection::adopt(int fd) {
  return Connection(fd);
}

bool Connection::is_tls() const {
  return tls_ != nullptr;
}

void Connection::close() {
  if (tls_) {
    // A polite close_notify, never waited for: the socket is non-blocking.
    SSL_shutdown(tls_->ssl());
    ERR_clear_error();
    tls_.reset();
  }
  platform::close_socket(fd_);
  fd_ = -1;
  rbuf_.clear();
  rpos_ = 0;
  peer_reset_ = false;
}

// A reset (firewalls, antivirus and load balancers send them) says more than a close: name it.
std::string Connection::how_it_ended() const {
  return peer_reset_ ? " reset the connection (TCP RST)" : " closed the connection";
}

void Connection::note(std::string_view text) const {
  log(Direction::info, text);
}

Failure Connection::timeout_failure(std::string_view awaited) const {
  return fail("tcp.timeout", "waited " + describe(timeout_) + " for " + std::string(awaited) + " from " +
                                 endpoint(peer_) + "; nothing came");
}

Result<void> Connection::wait_fd(short events, Clock::time_point deadline, std::string_view awaited) {
  for (;;) {
    int r = platform::poll_socket(fd_, events, remaining_ms(deadline));
    if (r > 0) return {};  // readable, writable, or an error the next call reports
    if (r < 0)
      return fail("protocol.connection_lost", "poll: " + platform::socket_error_text(platform::socket_error()));
    if (Clock::now() < deadline) continue;
    return timeout_failure(awaited);
  }
}

Result<void> Connection::connect_until(const Address& a, Clock::time_point deadline) {
  close();
  peer_ = a;
  note("connecting to " + endpoint(a));
  int fd = platform::open_tcp_socket(a.family);
  if (fd < 0) return fail("tcp.unreachable", "socket: " + platform::socket_error_text(platform::socket_error()));
  fd_ = fd;
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&one),
             sizeof one);  // commands are small; latency matters
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(a.sockaddr.data()),
                static_cast<platform::socklen>(a.sockaddr.size())) == 0)
    return {};
  if (int err = platform::socket_error(); !platform::connect_in_progress(err)) {
    close();
    return connect_failure(err, a);
  }
  for (;;) {
    int r = platform::poll_socket(fd_, POLLOUT, remaining_ms(deadline));
    if (r > 0) break;
    if (r == 0 && Clock::now() < deadline) continue;
    close();
    return fail("tcp.timeout", endpoint(a) + " did not answer the connection attempt within " + describe(timeout_));
  }
  if (int err = platform::connect_result(fd_); err != 0) {
    close();
    return connect_failure(err, a);
  }
  return {};
}

Result<void> Connection::connect(const Address& address) {
  return connect_until(address, Clock::now() + timeout_);
}

Result<void> Connection::connect(const std::vector<Address>& addresses) {
  if (addresses.empty()) return fail("dns.not_found", "no address to connect to");
  auto deadline = Clock::now() + timeout_;
  std::optional<Failure> first;
  std::string attempts;
  for (const Address& a : addresses) {
    auto r = connect_until(a, deadline);
    if (r) return {};
    // The most telling failure wins: a timeout or refusal says more than "unreachable" over IPv6.
    if (!first || first->code == "tcp.unreachable") first = r.failure();
    attempts += (attempts.empty() ? "" : "; ") + r.failure().detail;
    if (Clock::now() >= deadline) break;
  }
  return fail(first->code, attempts);
}

Result<TlsInfo> Connection::start_tls(const TlsOptions& options) {
  if (fd_ < 0) return fail("protocol.connection_lost", "not connected");
  // Bytes that arrived before the handshake were sent in plain text after the STARTTLS reply: a
  // man in the middle injecting commands (CVE-2011-0411 style). Never carry them into TLS.
  if (has_buffered_input())
    return fail("protocol.bad_response", "the server sent data right after agreeing to STARTTLS; refusing to go on");
  auto session = tls::make_session(fd_, options);
  if (!session) return session.failure();
  tls_ = std::make_unique<Tls>(Tls{std::move(session).value()});
  tls_info_.reset();
  note("TLS handshake with " + (options.host.empty() ? endpoint(peer_) : options.host) +
       (options.verify ? "" : " (certificate verification OFF)"));
  const auto deadline = Clock::now() + timeout_;
  for (;;) {
    ERR_clear_error();
    int r = SSL_connect(tls_->ssl());
    if (r == 1) break;
    int err = SSL_get_error(tls_->ssl(), r);
    int sys = errno;
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      auto waited = wait_fd(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline, "the TLS handshake");
      if (waited) continue;
      // Not one byte back: most likely a port that does not speak TLS (it waits for the client).
      // Some bytes and then silence: a TLS server (or something on the way) that stopped answering.
      const uint64_t received = BIO_number_read(SSL_get_rbio(tls_->ssl()));
      close();
      // A timeout is a timeout: not a refused handshake, and not the security setting's fault.
      if (received == 0)
        return fail("tls.timeout", "the connection to " + endpoint(peer_) +
                                       " was accepted, but no answer to the TLS handshake came within " +
                                       describe(timeout_));
      return fail("tcp.timeout", "the TLS handshake with " + endpoint(peer_) + " started (" + std::to_string(received) +
                                     " bytes came from the server) and then nothing more came for " +
                                     describe(timeout_) + ": the server or something on the way stopped answering");
    }
    std::string why = tls::drain_errors();
    if (why.empty())
      why = err == SSL_ERROR_SYSCALL && sys != 0 ? std::strerror(sys) : "the server closed the connection";
    // A certificate may have come before the failure: keep what it said.
    if (SSL_get0_peer_certificate(tls_->ssl())) tls_info_ = tls::inspect(tls_->ssl(), options.verify);
    std::string detail = "TLS handshake with " + endpoint(peer_) + " failed: " + why;
    if (why.find("wrong version number") != std::string::npos) detail += " (the port answers in plain text, not TLS)";
    close();
    return fail("tls.handshake_failed", detail);
  }
  tls_info_ = tls::inspect(tls_->ssl(), options.verify);
  note(tls_info_->protocol + " " + tls_info_->cipher + "; certificate " + tls_info_->subject + " issued by " +
       tls_info_->issuer + ", valid " + tls_info_->not_before + " to " + tls_info_->not_after +
       "; verify: " + tls_info_->verify_text);
  if (auto refused = tls::verification_failure(*tls_info_, options)) {
    close();
    return *refused;
  }
  return *tls_info_;
}

Result<size_t> Connection::raw_read(char* buf, size_t len, Clock::time_point deadline, std::string_view awaited) {
  if (fd_ < 0) return fail("protocol.connection_lost", "not connected");
  for (;;) {
    if (tls_) {
      size_t n = 0;
      ERR_clear_error();
      if (SSL_read_ex(tls_->ssl(), buf, len, &n) == 1) return n;
      int err = SSL_get_error(tls_->ssl(), 0);
      int sys = errno;
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        auto waited = wait_fd(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline, awaited);
        if (!waited) return waited.failure();
        continue;
      }
      if (err == SSL_ERROR_ZERO_RETURN) return size_t{0};
      if (err == SSL_ERROR_SYSCALL && (sys == 0 || sys == ECONNRESET)) {
        peer_reset_ = sys == ECONNRESET;
        return size_t{0};
      }
      std::string why = tls::drain_errors();
      return fail("protocol.connection_lost", "TLS error while waiting for " + std::string(awaited) + ": " +
                                                  (why.empty() ? std::string(std::strerror(sys)) : why));
    }
    long n = platform::recv_some(fd_, buf, len);
    if (n >= 0) return static_cast<size_t>(n);
    const int err = platform::socket_error();
    if (platform::would_block(err)) {
      auto waited = wait_fd(POLLIN, deadline, awaited);
      if (!waited) return waited.failure();
      continue;
    }
    if (err == ECONNRESET || err == ECONNABORTED) {
      peer_reset_ = true;
      return size_t{0};
    }
    return fail("protocol.connection_lost", "recv: " + platform::socket_error_text(err));
  }
}

Result<size_t> Connection::fill(Clock::time_point deadline, std::string_view awaited) {
  if (rpos_ == rbuf_.size()) {
    rbuf_.clear();
    rpos_ = 0;
  } else if (rpos_ >= kReadChunk) {
    rbuf_.erase(0, rpos_);
    rpos_ = 0;
  }
  size_t old = rbuf_.size();
  rbuf_.resize(old + kReadChunk);
  auto n = raw_read(rbuf_.data() + old, kReadChunk, deadline, awaited);
  rbuf_.resize(old + (n ? n.value() : 0));
  return n;
}

Result<std::string> Connection::read_line(std::string_view awaited, size_t max_length, bool logged) {
  const auto deadline = Clock::now() + timeout_;
  size_t scan = rpos_;
  for (;;) {
    const char* begin = rbuf_.data() + rpos_;
    if (const void* nl = std::memchr(rbuf_.data() + scan, '\n', rbuf_.size() - scan)) {
      size_t len = static_cast<const char*>(nl) - begin;
      std::string line(begin, len > 0 && begin[len - 1] == '\r' ? len - 1 : len);
      rpos_ += len + 1;
      if (logged) log(Direction::server, line);
      return line;
    }
    if (rbuf_.size() - rpos_ > max_length)
      return fail("protocol.bad_response", "the server sent a line longer than " + std::to_string(max_length) +
                                               " bytes while we waited for " + std::string(awaited));
    size_t pending = rbuf_.size() - rpos_;
    auto n = fill(deadline, awaited);
    if (!n) return n.failure();
    scan = rpos_ + pending;
    if (n.value() == 0)
      return fail("protocol.connection_lost",
                  endpoint(peer_) + how_it_ended() + " while we waited for " + std::string(awaited) +
                      (pending ? " (after " + std::to_string(pending) + " bytes of an unfinished line)" : ""));
  }
}

Result<void> Connection::read_exact(size_t n, std::string& out, std::string_view awaited) {
  size_t take = std::min(n, rbuf_.size() - rpos_);
  out.append(rbuf_, rpos_, take);
  rpos_ += take;
  size_t left = n - take;
  while (left > 0) {
    // Straight into the caller's string; grow by what is still owed, at most a few chunks at a time.
    size_t chunk = std::min(left, 4 * kReadChunk);
    size_t old = out.size();
    out.resize(old + chunk);
    auto got = raw_read(out.data() + old, chunk, Clock::now() + timeout_, awaited);
    out.resize(old + (got ? got.value() : 0));
    if (!got) return got.failure();
    if (got.value() == 0)
      return fail("protocol.connection_lost", endpoint(peer_) + how_it_ended() + " with " + std::to_string(left) +
                                                  " of " + std::to_string(n) + " bytes of " + std::string(awaited) +
                                                  " still to come");
    left -= got.value();
  }
  log(Direction::server, "{" + std::to_string(n) + " bytes}");
  return {};
}

Result<void> Connection::write_all(std::string_view bytes, std::string_view what) {
  if (fd_ < 0) return fail("protocol.connection_lost", "not connected");
  const auto deadline = Clock::now() + timeout_;
  while (!bytes.empty()) {
    size_t sent = 0;
    if (tls_) {
      ERR_clear_error();
      if (SSL_write_ex(tls_->ssl(), bytes.data(), bytes.size(), &sent) != 1) {
        int err = SSL_get_error(tls_->ssl(), 0);
        int sys = errno;
        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
          auto waited =
              wait_fd(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline, "room to send " + std::string(what));
          if (!waited) return waited.failure();
          continue;
        }
        std::string why = tls::drain_errors();
        return fail("protocol.connection_lost",
                    "sending " + std::string(what) + " to " + endpoint(peer_) +
                        " failed: " + (why.empty() ? std::string(std::strerror(sys)) : why));
      }
    } else {
      long n = platform::send_some(fd_, bytes.data(), bytes.size());
      if (n < 0) {
        const int err = platform::socket_error();
        if (platform::would_block(err)) {
          auto waited = wait_fd(POLLOUT, deadline, "room to send " + std::string(what));
          if (!waited) return waited.failure();
          continue;
        }
        return fail("protocol.connection_lost", "sending " + std::string(what) + " to " + endpoint(peer_) +
                                                    " failed: " + platform::socket_error_text(err));
      }
      sent = static_cast<size_t>(n);
    }
    bytes.remove_prefix(sent);
  }
  return {};
}

Result<void> Connection::write_line(std::string_view line) {
  log(Direction::client, line);
  std::string wire(line);
  wire += "\r\n";
  return write_all(wire, line.substr(0, 60));
}

Result<void> Connection::write_secret_line(std::string_view line, std::string_view logged) {
  log(Direction::client, logged);
  std::string wire(line);
  wire += "\r\n";
  return write_all(wire, logged);
}

}  // namespace md::mail
