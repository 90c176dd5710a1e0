#if defined(_WIN32)
#include <windows.h>

#include <cerrno>
#include <mutex>

#include "platform/socket.h"
#include "platform/text.h"

namespace md::platform {
namespace {

struct Mapping {
  int wsa;
  int posix;
};
constexpr Mapping kMappings[] = {
    {WSAECONNREFUSED, ECONNREFUSED},
    {WSAETIMEDOUT, ETIMEDOUT},
    {WSAECONNRESET, ECONNRESET},
    {WSAECONNABORTED, ECONNABORTED},
    {WSAEWOULDBLOCK, EWOULDBLOCK},
    {WSAEINPROGRESS, EINPROGRESS},
    {WSAEINTR, EINTR},
    {WSAEACCES, EACCES},
    {WSAENETUNREACH, ENETUNREACH},
    {WSAEHOSTUNREACH, EHOSTUNREACH},
    {WSAEADDRINUSE, EADDRINUSE},
    {WSAENOTCONN, ENOTCONN},
    {WSAEAFNOSUPPORT, EAFNOSUPPORT},
    {WSAEADDRNOTAVAIL, EADDRNOTAVAIL},
    {WSAENETDOWN, ENETDOWN},
    {WSAESHUTDOWN, EPIPE},
    {WSAEINVAL, EINVAL},
    {WSAENOTSOCK, EBADF},
};

int to_posix(int wsa) {
  for (const auto& m : kMappings)
    if (m.wsa == wsa) return m.posix;
  return wsa;  // WSAE* values are above every errno value: they stay recognisable
}

int to_wsa(int err) {
  for (const auto& m : kMappings)
    if (m.posix == err) return m.wsa;
  return err;
}

}  // namespace

void init_sockets() {
  static std::once_flag once;
  std::call_once(once, [] {
    WSADATA data;
    WSAStartup(MAKEWORD(2, 2), &data);
  });
}

bool make_nonblocking(int fd) {
  u_long on = 1;
  SetHandleInformation(reinterpret_cast<HANDLE>(static_cast<SOCKET>(fd)), HANDLE_FLAG_INHERIT, 0);
  return ioctlsocket(static_cast<SOCKET>(fd), FIONBIO, &on) == 0;
}

int open_tcp_socket(int family) {
  init_sockets();
  SOCKET s = WSASocketW(family, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
  if (s == INVALID_SOCKET) return -1;
  if (!make_nonblocking(static_cast<int>(s))) {
    int err = WSAGetLastError();
    closesocket(s);
    WSASetLastError(err);
    return -1;
  }
  return static_cast<int>(s);
}

void close_socket(int fd) {
  if (fd >= 0) closesocket(static_cast<SOCKET>(fd));
}

void shutdown_send(int fd) {
  ::shutdown(static_cast<SOCKET>(fd), SD_SEND);
}

void prepare_listening_socket(int fd) {
  // SO_REUSEADDR on Windows lets another socket take over a bound port: exclusive use instead.
  int yes = 1;
  setsockopt(static_cast<SOCKET>(fd), SOL_SOCKET, SO_EXCLUSIVEADDRUSE, reinterpret_cast<const char*>(&yes),
             sizeof(yes));
}

int socket_error() {
  return to_posix(WSAGetLastError());
}

int connect_result(int fd) {
  int err = 0;
  int len = sizeof err;
  if (getsockopt(static_cast<SOCKET>(fd), SOL_SOCKET, SO_ERROR, reinterpret_cast<char*>(&err), &len) != 0)
    return socket_error();
  return to_posix(err);
}

int posix_socket_error(long os_error) {
  return to_posix(static_cast<int>(os_error));
}

bool connect_in_progress(int err) {
  return err == EWOULDBLOCK || err == EINPROGRESS || err == EINTR;
}

bool would_block(int err) {
  return err == EWOULDBLOCK || err == EAGAIN;
}

std::string socket_error_text(int err) {
  return system_error_text(static_cast<unsigned long>(to_wsa(err)));
}

int poll_socket(int fd, short events, int timeout_ms) {
  WSAPOLLFD p{static_cast<SOCKET>(fd), events, 0};
  int r = WSAPoll(&p, 1, timeout_ms);
  return r == SOCKET_ERROR ? -1 : r;
}

long recv_some(int fd, char* buf, size_t len) {
  int n = ::recv(static_cast<SOCKET>(fd), buf, static_cast<int>(len > 0x40000000 ? 0x40000000 : len), 0);
  return n == SOCKET_ERROR ? -1 : n;
}

long send_some(int fd, const char* buf, size_t len) {
  int n = ::send(static_cast<SOCKET>(fd), buf, static_cast<int>(len > 0x40000000 ? 0x40000000 : len), 0);
  return n == SOCKET_ERROR ? -1 : n;
}

int host_name(char* buf, size_t len) {
  init_sockets();
  return ::gethostname(buf, static_cast<int>(len)) == 0 ? 0 : -1;
}

bool loopback_pair(int fds[2]) {
  init_sockets();
  SOCKET listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  if (listener == INVALID_SOCKET) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int len = sizeof a;
  SOCKET c = INVALID_SOCKET, s = INVALID_SOCKET;
  if (bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && listen(listener, 1) == 0 &&
      getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    c = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (c != INVALID_SOCKET && connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0)
      s = accept(listener, nullptr, nullptr);
  }
  closesocket(listener);
  if (s == INVALID_SOCKET) {
    if (c != INVALID_SOCKET) closesocket(c);
    return false;
  }
  fds[0] = static_cast<int>(c);
  fds[1] = static_cast<int>(s);
  return true;
}

}  // namespace md::platform
#endif
