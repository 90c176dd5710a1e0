// A server whose answer never ends: it repeats the fuzz bytes for up to 4 MiB. Whatever the
// pattern, the IMAP client (untagged responses with literals) and the POP3 client (UIDL, CAPA)
// must stop at their reply limits with protocol.reply_too_large, or at the pattern's own fault,
// holding no more than the limits allow: memory stays flat (libFuzzer's -rss_limit_mb watches).
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>

#include "fuzz_support.h"
#include "mail/imap_client.h"
#include "mail/pop3_client.h"

using namespace md;
using namespace md::mail;

namespace {

constexpr size_t kFlood = 4 << 20;

// Sends `head`, then `pattern` again and again until kFlood bytes went out or the client hung up.
class FloodServer {
 public:
  FloodServer(std::string head, std::string pattern) {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) std::abort();  // the harness, not the input
    client_ = fds[0];
    server_ = fds[1];
    thread_ = std::thread([this, head = std::move(head), pattern = std::move(pattern)] {
      std::string block = head;
      while (block.size() < 64 * 1024) block += pattern;
      for (size_t sent = 0; sent < kFlood;) {
        ssize_t n = ::send(server_, block.data(), block.size(), MSG_NOSIGNAL);
        if (n <= 0) break;  // the client closed: it stopped reading
        sent += static_cast<size_t>(n);
        if (static_cast<size_t>(n) < block.size()) block.erase(0, static_cast<size_t>(n));
        while (block.size() < 64 * 1024) block += pattern;
      }
      ::shutdown(server_, SHUT_WR);
    });
  }
  ~FloodServer() {
    if (client_ >= 0) ::close(client_);  // a client that never read everything unblocks the sender
    thread_.join();
    ::close(server_);
  }
  Connection connection() {
    Connection c = Connection::adopt(client_);
    client_ = -1;
    c.set_timeout(std::chrono::milliseconds(2000));
    c.set_transcript(fuzz::log_line);
    return c;
  }

 private:
  int client_ = -1;
  int server_ = -1;
  std::thread thread_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t choice = data[0];
  const std::string pattern(fuzz::as_text(data + 1, size - 1));
  ReplyLimits limits;
  limits.max_lines = 1000;
  limits.max_bytes = 64 * 1024;
  limits.max_response_bytes = 64 * 1024;

  switch (choice % 3) {
    case 0: {
      FloodServer server("", pattern);
      ImapClient client(server.connection());
      client.set_reply_limits(limits);
      uint64_t lines = 0, bytes = 0;
      auto r = client.command("UID SEARCH ALL", [&](std::string_view line) {
        ++lines;
        bytes += line.size();
      });
      if (lines > limits.max_lines || bytes > limits.max_bytes + limits.max_response_bytes) std::abort();
      if (!r) fuzz::check_one_line(r.failure());
      break;
    }
    case 1: {
      FloodServer server("+OK\r\n", pattern);
      Pop3Client client(server.connection());
      client.set_reply_limits(limits);
      auto r = client.uidl();
      if (r && r.value().size() > limits.max_lines) std::abort();
      if (!r) fuzz::check_one_line(r.failure());
      break;
    }
    default: {
      FloodServer server("+OK\r\n", pattern);
      Pop3Client client(server.connection());
      client.set_reply_limits(limits);
      auto r = client.capa();
      if (!r) fuzz::check_one_line(r.failure());
      break;
    }
  }
  return 0;
}
