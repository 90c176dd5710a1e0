// The platform layer (core/platform) on whichever system runs the suite: Linux here, Windows under
// Wine in make test-windows. Each case states what the system must do, not how.
#include <doctest/doctest.h>

#include <openssl/x509_vfy.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../support/fake_server.h"
#include "../support/temp_dir.h"
#include "platform/console.h"
#include "platform/files.h"
#include "platform/key_protection.h"
#include "platform/socket.h"
#include "platform/system_info.h"
#include "platform/time.h"
#include "platform/trust_store.h"

using namespace md;

TEST_CASE("platform: a file lock is exclusive until its holder lets go, and names the holder") {
  test::TempDir dir;
  auto lock_file = dir.path / "sync.lock";
  auto first = platform::FileLock::acquire(lock_file, "4242\n");
  REQUIRE(first.lock.held());
  CHECK_FALSE(first.busy);
  // A second open of the same file (as another process would) is refused at once, not blocked.
  auto second = platform::FileLock::acquire(lock_file, "7\n");
  CHECK(second.busy);
  CHECK_FALSE(second.lock.held());
  CHECK(second.holder == "4242");
  first.lock = platform::FileLock();  // released
  auto third = platform::FileLock::acquire(lock_file, "8\n");
  CHECK(third.lock.held());
}

TEST_CASE("platform: an owner-only file is created once, never overwritten") {
  test::TempDir dir;
  auto file = dir.path / "secret.bin";
  auto made = platform::create_owner_only(file, std::string("k\0ey", 4));
  REQUIRE(made.ok);
  std::ifstream in(file, std::ios::binary);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(content == std::string("k\0ey", 4));
  auto again = platform::create_owner_only(file, "other");
  CHECK_FALSE(again.ok);
  CHECK(again.exists);
#if defined(_WIN32)
  // Wine keeps a file's security descriptor in an extended attribute where the file system takes
  // one, and otherwise makes one up from the Unix mode: there the ACL cannot be checked.
  if (platform::os_description().count("wine") == 0)
    CHECK(platform::describe_protection(file) == "owner-only ACL");
  else
    MESSAGE("under Wine: " << platform::describe_protection(file) << " (not checked: Wine emulates ACLs)");
#else
  CHECK(platform::describe_protection(file) == "mode 0600");
#endif
  REQUIRE(platform::restrict_to_owner(dir.path));
}

TEST_CASE("platform: sockets on loopback carry bytes both ways and name their errors") {
  int fds[2];
  REQUIRE(platform::loopback_pair(fds));
  CHECK(platform::send_some(fds[0], "ping", 4) == 4);
  REQUIRE(platform::poll_socket(fds[1], POLLIN, 5000) > 0);
  char buf[8] = {};
  CHECK(platform::recv_some(fds[1], buf, sizeof buf) == 4);
  CHECK(std::string(buf, 4) == "ping");
  platform::close_socket(fds[0]);
  platform::close_socket(fds[1]);
  // The system's words for a refused connection, not "Unknown error".
  const std::string refused = platform::socket_error_text(ECONNREFUSED);
  CHECK_FALSE(refused.empty());
  CHECK(refused.find("Unknown error") == std::string::npos);
}

TEST_CASE("platform: the shared fake server answers on 127.0.0.1") {
  test::FakeServer server(test::FakeServer::script({{'S', "hello\r\n"}, {'C', "?"}, {'S', "bye\r\n"}}));
  CHECK(server.port() > 0);
  int fd = platform::open_tcp_socket(AF_INET);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(server.port());
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  CHECK((rc == 0 || platform::connect_in_progress(platform::socket_error())));
  REQUIRE(platform::poll_socket(fd, POLLOUT, 5000) > 0);
  CHECK(platform::connect_result(fd) == 0);
  const std::atomic<bool> never_stop{false};
  test::FakeServer::Peer client(fd, never_stop);
  std::string line;
  REQUIRE(client.read_line(line));
  CHECK(line == "hello");
  CHECK(client.send("hi\r\n"));
  REQUIRE(client.read_line(line));
  CHECK(line == "bye");
  platform::close_socket(fd);
}

TEST_CASE("platform: only core/platform/ asks which system it is built for") {
  // Issue 14: what differs between systems lives behind core/platform's interface, not in #ifdefs
  // scattered through the modules and front ends.
  namespace fs = std::filesystem;
  const fs::path root(MAILDOCTOR_SOURCE_DIR);
  std::vector<std::string> offenders;
  int scanned = 0;
  for (const char* folder : {"core", "cli", "panels", "app"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root / folder)) {
      if (!entry.is_regular_file()) continue;
      const fs::path& file = entry.path();
      const std::string relative = file.lexically_relative(root).generic_string();
      if (relative.starts_with("core/platform/")) continue;
      ++scanned;
      std::ifstream in(file, std::ios::binary);
      const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (text.find("_WIN32") != std::string::npos) offenders.push_back(relative);
    }
  }
  CHECK(scanned > 100);
  std::string list;
  for (const auto& f : offenders) list += "\n  " + f;
  CHECK_MESSAGE(offenders.empty(), "_WIN32 outside core/platform/ (move it into the platform layer):" << list);
}

TEST_CASE("platform: UTC time conversions round-trip") {
  std::tm tm = platform::utc_tm(1700000000);  // 2023-11-14T22:13:20Z
  CHECK(tm.tm_year == 123);
  CHECK(tm.tm_mon == 10);
  CHECK(tm.tm_mday == 14);
  CHECK(tm.tm_hour == 22);
  CHECK(platform::utc_time(tm) == 1700000000);
}

TEST_CASE("platform: the system is described for reports") {
  auto os = platform::os_description();
  CHECK_FALSE(os["sysname"].empty());
  CHECK_FALSE(os["machine"].empty());
#if defined(_WIN32)
  CHECK(os["sysname"] == "Windows");
  CHECK_FALSE(os["release"].empty());
  // The registry's ProductName: "Windows 10 Pro" on Windows, "Microsoft Windows 7" in a fresh Wine
  // prefix.
  CHECK(os["distribution"].find("Windows") != std::string::npos);
#else
  // Debian and every systemd distribution ship os-release(5).
  CHECK_FALSE(os["distribution"].empty());
  CHECK(os["distribution"].find('"') == std::string::npos);
#endif
}

#if defined(_WIN32)
TEST_CASE("platform: DPAPI protects for this user and refuses a damaged blob with its code") {
  REQUIRE(platform::has_user_key_protection());
  const std::string key(32, '\x5a');
  auto wrapped = platform::protect_for_user(key);
  REQUIRE(wrapped);
  CHECK(wrapped.value().find(key) == std::string::npos);
  auto plain = platform::unprotect_for_user(wrapped.value());
  REQUIRE(plain);
  CHECK(plain.value() == key);
  // A cut blob (a damaged file) cannot be unprotected, on Windows as under Wine.
  std::string damaged = wrapped.value().substr(0, wrapped.value().size() / 3);
  auto refused = platform::unprotect_for_user(damaged);
  REQUIRE_FALSE(refused);
  CHECK(refused.failure().code == "vault.key_unwrap_failed");
}

TEST_CASE("platform: the Windows certificate stores feed OpenSSL's trust store") {
  X509_STORE* store = X509_STORE_new();
  int added = platform::add_system_roots(store);
  MESSAGE("certificates added from ROOT and CA: " << added);
  CHECK(added > 0);
  X509_STORE_free(store);
}
#endif
