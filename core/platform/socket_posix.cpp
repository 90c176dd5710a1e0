#if !defined(_WIN32)
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "platform/socket.h"

namespace md::platform {

void init_sockets() {}

bool make_nonblocking(int fd) {
  int flags = fcntl(fd, F_GETFL, 0);
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

int open_tcp_socket(int family) {
  int fd = ::socket(family, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  if (!make_nonblocking(fd)) {
    int err = errno;
    ::close(fd);
    errno = err;
    return -1;
  }
#ifdef SO_NOSIGPIPE
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
  return fd;
}

void close_socket(int fd) {
  if (fd >= 0) ::close(fd);
}

void shutdown_send(int fd) {
  ::shutdown(fd, SHUT_WR);
}

void prepare_listening_socket(int fd) {
  int yes = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
}

int socket_error() {
  return errno;
}

int connect_result(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  return err;
}

bool connect_in_progress(int err) {
  return err == EINPROGRESS || err == EINTR;
}

bool would_block(int err) {
  return err == EAGAIN || err == EWOULDBLOCK;
}

std::string socket_error_text(int err) {
  return std::strerror(err);
}

int poll_socket(int fd, short events, int timeout_ms) {
  for (;;) {
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, timeout_ms);
    if (r < 0 && errno == EINTR) continue;
    return r;
  }
}

long recv_some(int fd, char* buf, size_t len) {
  for (;;) {
    ssize_t n = ::recv(fd, buf, len, 0);
    if (n < 0 && errno == EINTR) continue;
    return static_cast<long>(n);
  }
}

long send_some(int fd, const char* buf, size_t len) {
  for (;;) {
#ifdef MSG_NOSIGNAL
    ssize_t n = ::send(fd, buf, len, MSG_NOSIGNAL);
#else
    ssize_t n = ::send(fd, buf, len, 0);  // macOS: SO_NOSIGPIPE is set
#endif
    if (n < 0 && errno == EINTR) continue;
    return static_cast<long>(n);
  }
}

int posix_socket_error(long os_error) {
  return static_cast<int>(os_error);
}

int host_name(char* buf, size_t len) {
  return ::gethostname(buf, len);
}

bool loopback_pair(int fds[2]) {
  return ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0;
}

}  // namespace md::platform
#endif
