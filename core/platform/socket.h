// Sockets and poll, the same calls on Linux, macOS and Windows. Winsock's socket handles fit in an
// int (they are small kernel handles), so a socket is an int everywhere, -1 when there is none.
// Errors come back as POSIX errno values (Winsock's WSAE* codes are mapped), and their text comes
// from strerror or, on Windows, FormatMessage (strerror says "Unknown error" for network codes).
#pragma once

#include <cstddef>
#include <string>

#if defined(_WIN32)
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#endif

namespace md::platform {

#if defined(_WIN32)
using socklen = int;
#else
using socklen = socklen_t;
#endif

// Starts Winsock once for the whole process (nothing to do elsewhere). Every function below calls
// it; code that calls getaddrinfo() first calls it too.
void init_sockets();

// A TCP socket of this family, non-blocking, not inherited by child processes, no SIGPIPE; -1 and
// socket_error() on failure.
int open_tcp_socket(int family);
// A non-blocking, non-inherited socket of one already made (accept(), tests).
bool make_nonblocking(int fd);
void close_socket(int fd);
// Stops sending on a connected socket: the peer reads end-of-file after what was sent.
void shutdown_send(int fd);

// Before bind() on a listening socket: the address cannot be shared with another listener while
// this one lives (httplib's default sets SO_REUSEPORT on Linux, with which a second process could
// bind the same port and take half its connections; on Windows, SO_EXCLUSIVEADDRUSE). A restart
// may still bind over a connection in TIME_WAIT.
void prepare_listening_socket(int fd);

// The last socket call's error, as an errno value (ECONNREFUSED, EWOULDBLOCK...).
int socket_error();
// The pending error of a non-blocking connect (SO_ERROR), as an errno value; 0 when connected.
int connect_result(int fd);
// True when a non-blocking connect() is under way (EINPROGRESS, or Winsock's WSAEWOULDBLOCK).
bool connect_in_progress(int err);
bool would_block(int err);
// An error number of the system's socket API, as other libraries report it (libcurl's
// CURLINFO_OS_ERRNO is a WSAE* code on Windows), as the errno value of this file.
int posix_socket_error(long os_error);
// The system's words for an errno value from this file.
std::string socket_error_text(int err);

// One poll of one socket; >0 ready, 0 timed out, -1 error (socket_error()).
int poll_socket(int fd, short events, int timeout_ms);

// recv/send that never raise SIGPIPE; the count, or -1 and socket_error().
long recv_some(int fd, char* buf, size_t len);
long send_some(int fd, const char* buf, size_t len);

// gethostname(): this computer's name (Winsock's needs init_sockets() first).
int host_name(char* buf, size_t len);

// A pair of connected loopback TCP sockets (Windows has no socketpair): tests and wake-ups.
bool loopback_pair(int fds[2]);

}  // namespace md::platform
