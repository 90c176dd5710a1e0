#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "datadir.h"
#include "platform/files.h"
#include "platform/system_info.h"
#include "temp_dir.h"

using md::Platform;
using md::resolve_data_dir;

namespace {

md::EnvLookup env(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace

TEST_CASE("datadir: --data-dir wins over MAILDOCTOR_HOME, which wins over the platform default") {
  auto e = env({{"MAILDOCTOR_HOME", "/srv/md"}, {"HOME", "/home/a"}});
  auto r = resolve_data_dir(std::string("/tmp/x"), e, Platform::linux_like);
  REQUIRE(r.ok());
  CHECK(r.value().path == "/tmp/x");
  CHECK(r.value().source == "--data-dir");
  r = resolve_data_dir(std::nullopt, e, Platform::linux_like);
  REQUIRE(r.ok());
  CHECK(r.value().path == "/srv/md");
  CHECK(r.value().source == "MAILDOCTOR_HOME");
}

TEST_CASE("datadir: XDG on Linux, ignoring a relative XDG_DATA_HOME") {
  auto r =
      resolve_data_dir(std::nullopt, env({{"XDG_DATA_HOME", "/x/data"}, {"HOME", "/home/a"}}), Platform::linux_like);
  REQUIRE(r.ok());
  CHECK(r.value().path == "/x/data/maildoctor");
  r = resolve_data_dir(std::nullopt, env({{"XDG_DATA_HOME", "rel"}, {"HOME", "/home/a"}}), Platform::linux_like);
  REQUIRE(r.ok());
  CHECK(r.value().path == "/home/a/.local/share/maildoctor");
}

TEST_CASE("datadir: Windows and macOS defaults") {
  auto w = resolve_data_dir(std::nullopt, env({{"APPDATA", "C:/Users/a/AppData/Roaming"}}), Platform::windows);
  REQUIRE(w.ok());
  CHECK(w.value().path == std::filesystem::path("C:/Users/a/AppData/Roaming") / "MailDoctor");
  auto m = resolve_data_dir(std::nullopt, env({{"HOME", "/Users/a"}}), Platform::macos);
  REQUIRE(m.ok());
  CHECK(m.value().path == "/Users/a/Library/Application Support/MailDoctor");
}

TEST_CASE("datadir: no home at all is a configuration error with advice") {
  auto r = resolve_data_dir(std::nullopt, env({}), Platform::linux_like);
  REQUIRE_FALSE(r.ok());
  CHECK(r.failure().code == "datadir.unknown");
  CHECK(r.failure().detail.find("--data-dir") != std::string::npos);
  CHECK_FALSE(resolve_data_dir(std::string(""), env({}), Platform::linux_like).ok());
}

TEST_CASE("datadir: prepare creates the folder for the owner only, and refuses a file") {
  md::test::TempDir tmp;
  auto base = tmp.path;
  auto dir = base / "a" / "b";
  REQUIRE(md::prepare_data_dir(dir).ok());
#if defined(_WIN32)
  // POSIX modes do not apply; Wine emulates ACLs from them where the file system keeps no xattr.
  if (md::platform::os_description().count("wine") == 0)
    CHECK(md::platform::describe_protection(dir) == "owner-only ACL");
#else
  auto perms = std::filesystem::status(dir).permissions();
  CHECK((perms & std::filesystem::perms::all) == std::filesystem::perms::owner_all);
#endif
  std::ofstream(base / "file") << "x";
  auto r = md::prepare_data_dir(base / "file");
  REQUIRE_FALSE(r.ok());
  CHECK(r.failure().code == "datadir.unusable");
}
